package io.vcpubal.guest.metrics;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Parses {@code /proc/schedstat} (CONFIG_SCHEDSTATS; Documentation/scheduler/sched-stats.rst):
 * <pre>
 * version 15
 * timestamp 4295892340
 * cpu0 0 0 1875234 613987 1012554 724981 512309865311 20450032177 1261247
 * domain0 00000003 ...
 * </pre>
 * Of the nine cpu fields, 7 is the time tasks ran on the CPU (ns), 8 the time tasks waited on its runqueue
 * (ns) and 9 the number of timeslices. Domain lines are ignored. Empty when the file is absent; cpu lines
 * with fewer than nine fields are skipped.
 */
public final class ProcSchedstat {

    private final Path file;

    public ProcSchedstat(Path root) {
        this.file = root.resolve("proc/schedstat");
    }

    public Optional<SchedstatTotals> read() {
        return ProcFiles.lines(file).map(ProcSchedstat::parse);
    }

    public static SchedstatTotals parse(List<String> lines) {
        int version = 0;
        TreeMap<Integer, TaskSchedstat> perCpu = new TreeMap<>();
        for (String line : lines) {
            String[] f = ProcFiles.fields(line);
            if (f.length == 0) {
                continue;
            }
            if (f[0].equals("version") && f.length > 1) {
                version = (int) ProcFiles.parseLong(f[1], 0);
            } else if (f[0].startsWith("cpu") && f.length >= 10) {
                int cpu = (int) ProcFiles.parseLong(f[0].substring(3), -1);
                if (cpu >= 0 && cpu <= Bounds.MAX_CPU) {
                    perCpu.put(cpu, new TaskSchedstat(Math.max(0, ProcFiles.parseLong(f[7], 0)),
                            Math.max(0, ProcFiles.parseLong(f[8], 0)), Math.max(0, ProcFiles.parseLong(f[9], 0))));
                }
            }
        }
        return new SchedstatTotals(version, perCpu);
    }
}
