package io.vcpubal.guest.metrics;

import java.util.Objects;
import java.util.Optional;

/**
 * System-wide counters read at one moment; two of them give {@link ContentionSignals}.
 *
 * @param monotonicNanos when the sample was taken ({@link System#nanoTime()} in production)
 * @param cpuTimes {@code /proc/stat}
 * @param pressure {@code /proc/pressure/cpu}, possibly not available
 * @param schedstat {@code /proc/schedstat}, empty without CONFIG_SCHEDSTATS
 * @param lockStat {@code /proc/lock_stat}, empty without CONFIG_LOCK_STAT
 */
public record SystemSample(long monotonicNanos, CpuTimes cpuTimes, CpuPressure pressure,
                           Optional<SchedstatTotals> schedstat, Optional<LockStatTotals> lockStat) {

    public SystemSample {
        Objects.requireNonNull(cpuTimes, "cpuTimes");
        Objects.requireNonNull(pressure, "pressure");
        Objects.requireNonNull(schedstat, "schedstat");
        Objects.requireNonNull(lockStat, "lockStat");
    }
}
