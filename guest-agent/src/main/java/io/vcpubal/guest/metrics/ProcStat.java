package io.vcpubal.guest.metrics;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * Parses {@code /proc/stat}. Lines used:
 * <pre>
 * cpu  59819 0 5065 104887 425 0 323 5665 0 0     user nice system idle iowait irq softirq steal guest guest_nice
 * cpu0 26420 0 2299 54019 82 0 174 2935 0 0
 * ctxt 1665444
 * procs_running 6
 * procs_blocked 0
 * </pre>
 * Columns a kernel does not print (old kernels stop before steal or guest) count as 0; a malformed number
 * counts as 0; unknown lines are ignored.
 */
public final class ProcStat {

    private final Path file;

    /** @param root the filesystem root: {@code /} in production, a fixture tree in tests */
    public ProcStat(Path root) {
        this.file = root.resolve("proc/stat");
    }

    /** {@link CpuTimes#EMPTY} if the file cannot be read. */
    public CpuTimes read() {
        return ProcFiles.lines(file).map(ProcStat::parse).orElse(CpuTimes.EMPTY);
    }

    public static CpuTimes parse(List<String> lines) {
        CpuTicks all = CpuTicks.ZERO;
        TreeMap<Integer, CpuTicks> perCpu = new TreeMap<>();
        long ctxt = 0;
        long running = 0;
        long blocked = 0;
        for (String line : lines) {
            String[] f = ProcFiles.fields(line);
            if (f.length == 0) {
                continue;
            }
            String key = f[0];
            if (key.equals("cpu")) {
                all = ticks(f);
            } else if (key.startsWith("cpu")) {
                int cpu = (int) ProcFiles.parseLong(key.substring(3), -1);
                if (cpu >= 0 && cpu <= Bounds.MAX_CPU) {
                    perCpu.put(cpu, ticks(f));
                }
            } else if (key.equals("ctxt") && f.length > 1) {
                ctxt = ProcFiles.parseLong(f[1], 0);
            } else if (key.equals("procs_running") && f.length > 1) {
                running = ProcFiles.parseLong(f[1], 0);
            } else if (key.equals("procs_blocked") && f.length > 1) {
                blocked = ProcFiles.parseLong(f[1], 0);
            }
        }
        return new CpuTimes(all, perCpu, ctxt, running, blocked);
    }

    private static CpuTicks ticks(String[] f) {
        long[] v = new long[10];
        for (int i = 0; i < v.length && i + 1 < f.length; i++) {
            v[i] = Math.max(0, ProcFiles.parseLong(f[i + 1], 0));
        }
        return new CpuTicks(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }
}
