package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code /proc/lock_stat} (CONFIG_LOCK_STAT, absent on distribution kernels), format version 0.4
 * as documented in Documentation/locking/lockstat.rst:
 * <pre>
 * lock_stat version 0.4
 * ----------------------------------------------------------------------------------------------------
 *                               class name    con-bounces    contentions   waittime-min   waittime-max waittime-total   waittime-avg    acq-bounces   acquisitions   holdtime-min   holdtime-max holdtime-total   holdtime-avg
 * ----------------------------------------------------------------------------------------------------
 *
 *                          &mm->mmap_sem-W:            46             84           0.26         939.10       16371.53         194.90          47291        2922365           0.16     2220301.69 17464026916.32        5975.99
 *                          ---------------
 *                            &mm->mmap_sem              1          [&lt;ffffffff811502a7&gt;] khugepaged_scan_mm_slot+0x57/0x280
 * </pre>
 * Only class lines count: a name ending in ':' followed by exactly 12 numbers (times in microseconds).
 * Contention-point lines, separators and headers are skipped, as are class lines with a malformed number.
 */
public final class ProcLockStat {

    private static final int COLUMNS = 12;

    private final Path file;

    public ProcLockStat(Path root) {
        this.file = root.resolve("proc/lock_stat");
    }

    /** Empty when the kernel has no lock statistics. */
    public Optional<LockStatTotals> read() {
        return ProcFiles.lines(file).map(ProcLockStat::parse);
    }

    public static LockStatTotals parse(List<String> lines) {
        int entries = 0;
        long contentions = 0;
        double waitTime = 0;
        long acquisitions = 0;
        double holdTime = 0;
        for (String line : lines) {
            String[] f = ProcFiles.fields(line);
            int first = f.length - COLUMNS;
            if (first < 1 || !f[first - 1].endsWith(":")) {
                continue;
            }
            double[] v = new double[COLUMNS];
            boolean numeric = true;
            for (int i = 0; i < COLUMNS && numeric; i++) {
                v[i] = ProcFiles.parseDouble(f[first + i], -1);
                numeric = v[i] >= 0;
            }
            if (!numeric) {
                continue;
            }
            // con-bounces contentions wait-min wait-max wait-total wait-avg acq-bounces acquisitions hold-min hold-max hold-total hold-avg
            entries++;
            contentions += (long) v[1];
            waitTime += v[4];
            acquisitions += (long) v[7];
            holdTime += v[10];
        }
        return new LockStatTotals(entries, contentions, waitTime, acquisitions, holdTime);
    }
}
