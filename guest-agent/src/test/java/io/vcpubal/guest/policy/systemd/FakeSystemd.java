package io.vcpubal.guest.policy.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * systemctl show and set-property as systemd 252 answers them, for the units it is told about: the effective
 * CPUWeight/CPUQuota after each set-property (an empty assignment resets to unset), printed in show's format.
 * It records every call and, at each set-property, whether the originals file was already on disk.
 */
final class FakeSystemd implements Systemctl {
    final List<List<String>> calls = new ArrayList<>();
    final Set<String> failing = new HashSet<>();
    final List<Boolean> originalsOnDiskAtSet = new ArrayList<>();
    private final Map<String, Map<String, String>> units = new HashMap<>();
    private final Path originalsFile;

    FakeSystemd(Path root) {
        this.originalsFile = root.resolve(UnitOriginals.FILE);
    }

    /** A loaded unit in system.slice, running (it has its cgroup) or not. */
    FakeSystemd unit(String name, boolean running, String weight, String quota) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("Slice", "system.slice");
        p.put("ControlGroup", running ? "/system.slice/" + name : "");
        p.put("CPUWeight", weight);
        p.put("CPUQuotaPerSecUSec", quota);
        p.put("LoadState", "loaded");
        units.put(name, p);
        return this;
    }

    String weight(String unit) {
        return units.get(unit).get("CPUWeight");
    }

    String quota(String unit) {
        return units.get(unit).get("CPUQuotaPerSecUSec");
    }

    List<List<String>> setCalls() {
        return calls.stream().filter(c -> c.get(0).equals("set-property")).toList();
    }

    @Override
    public String run(List<String> args) throws IOException {
        calls.add(List.copyOf(args));
        if (args.get(0).equals("show")) {
            StringBuilder out = new StringBuilder();
            for (String u : args.subList(args.indexOf("--") + 1, args.size())) {
                Map<String, String> p = units.get(u);
                out.append(out.length() == 0 ? "" : "\n");
                if (p == null) {
                    out.append("Slice=\nControlGroup=\nCPUWeight=[not set]\nCPUQuotaPerSecUSec=infinity\nLoadState=not-found\n");
                } else {
                    p.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
                }
            }
            return out.toString();
        }
        String unit = args.get(args.indexOf("--") + 1);
        Map<String, String> p = units.get(unit);
        if (!args.get(0).equals("set-property")) {
            throw new IOException("unexpected call " + args);
        }
        originalsOnDiskAtSet.add(Files.exists(originalsFile));
        if (p == null) {
            throw new IOException("Failed to set unit properties on " + unit + ": Unit " + unit + " not found.");
        }
        if (failing.contains(unit)) {
            throw new IOException("Failed to set unit properties on " + unit + ": Access denied");
        }
        for (String a : args.subList(args.indexOf("--") + 2, args.size())) {
            String value = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("CPUWeight=")) {
                p.put("CPUWeight", value.isEmpty() ? "[not set]" : value);
            } else if (a.startsWith("CPUQuota=")) {
                p.put("CPUQuotaPerSecUSec", value.isEmpty() ? "infinity"
                        : Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 10) + "ms");
            } else {
                throw new IOException("Unknown assignment: " + a);
            }
        }
        return "";
    }
}
