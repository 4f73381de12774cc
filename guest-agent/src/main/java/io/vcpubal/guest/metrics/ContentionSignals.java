package io.vcpubal.guest.metrics;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Signs that vCPUs of this guest wait for physical CPUs or for each other (lock-holder preemption),
 * computed from two {@link SystemSample}s.
 *
 * @param intervalNanos time between the samples
 * @param stealShare steal ticks / all ticks: the share of the guest's CPU time the host gave to others
 * @param systemShare (system + irq + softirq) / busy ticks: kernel share of the time the guest ran
 *     something; spinning on preempted lock holders shows up here
 * @param runqueueWait runqueue wait time / wall time, summed over CPUs, from {@code /proc/schedstat}: the
 *     average number of runnable tasks waiting for a CPU; empty without schedstats
 * @param psiSomeShare PSI cpu "some" stall time / wall time: share of time at least one task waited;
 *     empty without PSI
 * @param psiSomeAvg10 PSI cpu "some" avg10 of the later sample, in percent; empty without PSI
 * @param psiFullShare PSI cpu "full" stall time / wall time; empty without PSI or without a "full" line
 * @param lockContentionsPerSecond lock contentions per second from {@code /proc/lock_stat}; empty without it
 * @param lockWaitShare lock wait time / wall time from {@code /proc/lock_stat}; empty without it
 */
public record ContentionSignals(long intervalNanos, double stealShare, double systemShare,
                                OptionalDouble runqueueWait, OptionalDouble psiSomeShare,
                                OptionalDouble psiSomeAvg10, OptionalDouble psiFullShare,
                                OptionalDouble lockContentionsPerSecond, OptionalDouble lockWaitShare) {

    /**
     * Signals between two samples. Counters that went backwards (a reset) count as no change; rates over
     * a non-positive interval are empty.
     */
    public static ContentionSignals between(SystemSample earlier, SystemSample later) {
        Objects.requireNonNull(earlier, "earlier");
        Objects.requireNonNull(later, "later");
        long interval = later.monotonicNanos() - earlier.monotonicNanos();
        CpuTicks delta = later.cpuTimes().all().minus(earlier.cpuTimes().all());

        OptionalDouble runqueueWait = OptionalDouble.empty();
        if (interval > 0 && earlier.schedstat().isPresent() && later.schedstat().isPresent()) {
            long wait = later.schedstat().get().all().runqueueWaitNanos()
                    - earlier.schedstat().get().all().runqueueWaitNanos();
            runqueueWait = OptionalDouble.of(Math.max(0, wait) / (double) interval);
        }

        OptionalDouble psiSome = OptionalDouble.empty();
        OptionalDouble psiAvg10 = OptionalDouble.empty();
        OptionalDouble psiFull = OptionalDouble.empty();
        CpuPressure a = earlier.pressure();
        CpuPressure b = later.pressure();
        if (b.some().isPresent()) {
            psiAvg10 = OptionalDouble.of(b.some().get().avg10());
        }
        if (interval > 0 && a.some().isPresent() && b.some().isPresent()) {
            psiSome = OptionalDouble.of(perWall(b.some().get().totalMicros() - a.some().get().totalMicros(), interval));
        }
        if (interval > 0 && a.full().isPresent() && b.full().isPresent()) {
            psiFull = OptionalDouble.of(perWall(b.full().get().totalMicros() - a.full().get().totalMicros(), interval));
        }

        OptionalDouble contentions = OptionalDouble.empty();
        OptionalDouble lockWait = OptionalDouble.empty();
        if (interval > 0 && earlier.lockStat().isPresent() && later.lockStat().isPresent()) {
            LockStatTotals x = earlier.lockStat().get();
            LockStatTotals y = later.lockStat().get();
            contentions = OptionalDouble.of(Math.max(0, y.contentions() - x.contentions()) * 1e9 / interval);
            lockWait = OptionalDouble.of(Math.max(0, y.waitTimeMicros() - x.waitTimeMicros()) * 1e3 / interval);
        }

        return new ContentionSignals(interval, share(delta.steal(), delta.total()), share(delta.kernel(), delta.busy()),
                runqueueWait, psiSome, psiAvg10, psiFull, contentions, lockWait);
    }

    private static double share(long part, long whole) {
        return whole <= 0 ? 0 : (double) part / whole;
    }

    /** Microseconds of a counter per nanosecond of wall time, as a fraction. */
    private static double perWall(long micros, long intervalNanos) {
        return Math.max(0, micros) * 1e3 / intervalNanos;
    }
}
