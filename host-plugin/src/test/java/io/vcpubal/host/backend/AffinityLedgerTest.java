package io.vcpubal.host.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.CpuSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AffinityLedgerTest {
    @TempDir
    Path dir;

    @Test
    void whatIsSavedIsLoadedBackAndRemoveForgetsIt() throws Exception {
        AffinityLedger ledger = AffinityLedger.in(dir.resolve("affinity"));
        AffinityLedger.Entry e = new AffinityLedger.Entry(4242, 987654, 4250, CpuSet.parse("0-3,8"));
        ledger.save("web", List.of(e));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("affinity"))));
        assertEquals("4242 987654 4250 0-3,8\n", Files.readString(dir.resolve("affinity/web.affinity")));
        assertEquals(Map.of(4250, e), ledger.load("web"));
        ledger.remove("web");
        assertEquals(Map.of(), ledger.load("web"));
    }

    @Test
    void damagedLinesAreSkippedAndAnOversizedFileIgnored() throws Exception {
        Path d = Files.createDirectories(dir.resolve("affinity"));
        Files.writeString(d.resolve("web.affinity"), "4242 1 4250 0-1\ngarbage\n1 2 3\n0 1 2 0\n5 6 7 \n9 9 9 70000\n");
        assertEquals(List.of(4250), List.copyOf(AffinityLedger.in(d).load("web").keySet()));
        Files.write(d.resolve("big.affinity"), new byte[(int) AffinityLedger.MAX_FILE_BYTES + 1]);
        assertTrue(AffinityLedger.in(d).load("big").isEmpty());
        assertNull(AffinityLedger.parse("4242 1 4250 0-1 extra"));
    }

    @Test
    void aNameThatIsNotAPlainFileNameIsRefused() {
        AffinityLedger ledger = AffinityLedger.in(dir);
        assertThrows(IllegalArgumentException.class, () -> ledger.save("../etc", List.of()));
        assertThrows(IllegalArgumentException.class, () -> ledger.load(".hidden"));
    }

    @Test
    void noneRemembersNothing() throws Exception {
        AffinityLedger none = AffinityLedger.none();
        none.save("web", List.of(new AffinityLedger.Entry(1, 1, 1, CpuSet.of(0))));
        assertTrue(none.load("web").isEmpty());
    }
}
