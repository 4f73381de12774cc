package io.vcpubal.guest.metrics;

/**
 * Totals over all lock classes of {@code /proc/lock_stat}.
 *
 * @param entries class lines summed (a read/write lock contributes a -W and a -R line)
 * @param contentions times a task had to wait for a lock
 * @param waitTimeMicros total time spent waiting, in microseconds
 * @param acquisitions times locks were taken
 * @param holdTimeMicros total time locks were held, in microseconds
 */
public record LockStatTotals(int entries, long contentions, double waitTimeMicros, long acquisitions,
                             double holdTimeMicros) {
}
