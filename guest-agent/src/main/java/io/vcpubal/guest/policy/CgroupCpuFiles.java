package io.vcpubal.guest.policy;

import io.vcpubal.protocol.v1.ClassState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a cgroup v2 group's cpu files as a class's state. A file that is missing (the group is gone, no
 * cpu.idle before Linux 5.15, the controller not enabled) reads as the kernel's default.
 */
public final class CgroupCpuFiles {
    private CgroupCpuFiles() {}

    /** The group as the kernel has it: cpu.stat usage, settings read back, and {@code processes}. */
    public static ClassState state(String name, Path group, int processes) {
        long usage = 0;
        long throttled = 0;
        // cpu.stat: "usage_usec 1234\nuser_usec ...\nthrottled_usec 56\n..."
        for (String line : lines(group.resolve("cpu.stat"))) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals("usage_usec")) {
                usage = parse(f[1], 0);
            } else if (f.length == 2 && f[0].equals("throttled_usec")) {
                throttled = parse(f[1], 0);
            }
        }
        // cpu.max: "max 100000" or "50000 100000"
        String[] max = first(group.resolve("cpu.max")).split(" ");
        long quota = max[0].equals("max") ? 0 : parse(max[0], 0);
        return ClassState.newBuilder()
                .setName(name)
                .setProcesses(processes)
                .setUsageUs(usage)
                .setThrottledUs(throttled)
                .setCpuWeight((int) readLong(group.resolve("cpu.weight"), ClassSpecs.DEFAULT_WEIGHT))
                .setIdle(readLong(group.resolve("cpu.idle"), 0) == 1)
                .setQuotaUs((int) Math.min(Integer.MAX_VALUE, quota))
                .build();
    }

    /** usage_usec of the group's cpu.stat; 0 when the kernel has none. */
    public static long usageUs(Path group) {
        for (String line : lines(group.resolve("cpu.stat"))) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals("usage_usec")) {
                return parse(f[1], 0);
            }
        }
        return 0;
    }

    /** The pids in the group itself (cgroup.procs); empty when the group is gone. */
    public static List<Integer> procs(Path group) {
        List<Integer> pids = new ArrayList<>();
        for (String line : lines(group.resolve("cgroup.procs"))) {
            try {
                pids.add(Integer.parseInt(line.strip()));
            } catch (NumberFormatException e) {
                // blank line
            }
        }
        return pids;
    }

    static long readLong(Path file, long fallback) {
        return parse(first(file), fallback);
    }

    static long parse(String s, long fallback) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String first(Path file) {
        List<String> l = lines(file);
        return l.isEmpty() ? "" : l.get(0).strip();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
