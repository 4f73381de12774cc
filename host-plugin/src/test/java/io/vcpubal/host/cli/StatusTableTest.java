package io.vcpubal.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import io.vcpubal.host.daemon.VmStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    @Test
    void printsAnAlignedTableFromTheDaemonsJson() {
        List<VmStatus> vms = List.of(
                new VmStatus("web", 3, 1.5, "balanced", 2, 2, "0-1",
                        List.of(new VmStatus.VcpuPin(0, 1201, "0"), new VmStatus.VcpuPin(1, 1202, "1")), 0.012,
                        "connected", 9_000, null, 4242, List.of(), null, null),
                new VmStatus("batch-long-name", 1, 0.5, "balanced", 1, 2, null,
                        List.of(new VmStatus.VcpuPin(0, 1301, "1"), new VmStatus.VcpuPin(1, 1302, "1")), -1,
                        "no agent", 0, "VM batch-long-name: agent not connected", 0, List.of(), null, null));
        JsonArray json = new Gson().toJsonTree(vms).getAsJsonArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusCommand.printTable(json, new PrintStream(out, true, StandardCharsets.UTF_8), 10_000);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size());
        int weightColumn = lines.get(0).indexOf("WEIGHT");
        assertEquals(weightColumn, lines.get(1).indexOf("3 "), "columns line up");
        assertEquals(weightColumn, lines.get(2).indexOf("1 "));
        assertTrue(lines.get(1).contains("4242") && lines.get(1).contains("0-1 (2/2)") && lines.get(1).contains("0:1201->0 1:1202->1")
                && lines.get(1).contains("1.2%") && lines.get(1).contains("1 s ago"), lines.get(1));
        assertTrue(lines.get(2).contains("- (1/2)") && lines.get(2).contains("no agent") && lines.get(2).contains("never"),
                lines.get(2));
    }
}
