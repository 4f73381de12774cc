package io.vcpubal.lab.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and memory from {@code <root>/proc/PID/stat} and {@code status}: how the fleet measures
 * the daemon from outside, as an operator's {@code top} would.
 *
 * @param cpuTicks user + system time in clock ticks (USER_HZ, 100 on Linux)
 * @param rssKb resident set now ({@code VmRSS})
 * @param peakRssKb the most it was resident ({@code VmHWM})
 */
public record ProcessUsage(long cpuTicks, long rssKb, long peakRssKb) {
    public static final int TICKS_PER_SECOND = 100;

    public static ProcessUsage read(Path root, long pid) throws IOException {
        Path dir = root.resolve("proc").resolve(Long.toString(pid));
        return new ProcessUsage(cpuTicks(Files.readString(dir.resolve("stat"))), kb(dir.resolve("status"), "VmRSS:"),
                kb(dir.resolve("status"), "VmHWM:"));
    }

    /** utime + stime: fields 14 and 15, counted after the command name's closing parenthesis (it may hold spaces). */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 2).trim().split(" +");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long kb(Path status, String key) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(status + " has no " + key + " line");
    }

    /**
     * CPU ticks per thread name (names as the kernel keeps them, 15 characters; threads of one pool share a
     * name and are summed), for where-did-it-go lines. Threads that exit between listing and reading are skipped.
     */
    public static java.util.Map<String, Long> ticksByThread(Path root, long pid) throws IOException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(root.resolve("proc").resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.merge(name.replaceAll("-?\\d+$", ""), cpuTicks(stat), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread exited meanwhile
                }
            }
        }
        return out;
    }

    /** Share of one core used between two readings {@code seconds} apart. */
    public double coreShareSince(ProcessUsage earlier, double seconds) {
        return (cpuTicks - earlier.cpuTicks) / (double) TICKS_PER_SECOND / seconds;
    }
}
