package io.vcpubal.host.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.vcpubal.host.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vcpubal-host status [--json]}: what the running daemon does for each VM. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each VM: weight, share, mode, online vCPUs as the guest reports them, the pins of each"
                + " vCPU thread (read back from the kernel), steal share, agent state and last contact.")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() {
        JsonObject req = new JsonObject();
        req.addProperty("op", "status");
        try {
            JsonArray vms = ControlClient.request(control.control, req).getAsJsonArray("vms");
            if (json) {
                System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(vms));
            } else {
                printTable(vms, System.out, System.currentTimeMillis());
            }
            return 0;
        } catch (IOException e) {
            System.err.println("vcpubal-host status: " + e.getMessage());
            return 1;
        }
    }

    public static void printTable(JsonArray vms, PrintStream out, long nowMs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VM", "WEIGHT", "SHARE", "MODE", "PID", "ONLINE", "PINS (vCPU:tid->pCPUs)", "STEAL", "AGENT",
                "LAST CONTACT", "ERROR"});
        for (JsonElement e : vms) {
            JsonObject v = e.getAsJsonObject();
            StringBuilder pins = new StringBuilder();
            for (JsonElement p : v.getAsJsonArray("pins")) {
                JsonObject o = p.getAsJsonObject();
                pins.append(pins.length() == 0 ? "" : " ").append(o.get("vcpu").getAsInt()).append(':')
                        .append(o.get("tid").getAsInt()).append("->").append(o.get("cpus").getAsString());
            }
            double steal = v.get("stealShare").getAsDouble();
            long last = v.get("lastContactMs").getAsLong();
            rows.add(new String[] {
                v.get("name").getAsString(),
                v.get("weight").getAsString(),
                String.format("%.2f", v.get("share").getAsDouble()),
                v.get("mode").getAsString(),
                v.has("pid") && v.get("pid").getAsLong() > 0 ? v.get("pid").getAsString() : "-",
                (v.has("guestOnline") ? v.get("guestOnline").getAsString() : "-") + " (" + v.get("targetOnline").getAsInt()
                        + "/" + v.get("vcpus").getAsInt() + ")"
                        + (v.has("guestFenced") ? " fenced " + v.get("guestFenced").getAsString() : ""),
                pins.toString(),
                steal < 0 ? "-" : String.format("%.1f%%", steal * 100),
                v.get("agent").getAsString(),
                last == 0 ? "never" : ((nowMs - last) / 1000) + " s ago",
                v.has("lastError") ? v.get("lastError").getAsString() : ""});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + width[i] + "s", r[i])).append(i < r.length - 1 ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
