package io.vcpubal.guest.metrics;

/**
 * One process in the top-N report.
 *
 * @param pid process id
 * @param name command name, control characters replaced by '?', at most {@link ProcessSampler#MAX_NAME_CHARS}
 * @param userTicks user time since the process started, USER_HZ ticks (all threads, including exited ones)
 * @param systemTicks system time since the process started, USER_HZ ticks
 * @param cpuDeltaTicks user + system ticks since the previous sample (since start for a new process)
 * @param threads number of threads
 * @param schedstat on-CPU time, runqueue wait and timeslices summed over the live threads (zero without
 *     CONFIG_SCHED_INFO)
 * @param voluntaryCtxtSwitches summed over the live threads
 * @param involuntaryCtxtSwitches summed over the live threads (preemptions)
 * @param threadsSummed how many threads the sums cover; less than {@code threads} when capped at
 *     {@link ProcessSampler#MAX_THREADS_SUMMED} or {@link ProcessSampler#MAX_THREADS_PER_SAMPLE}, or when
 *     threads came and went during the walk; 0 when the process exited before its details were read
 */
public record ProcessCpu(int pid, String name, long userTicks, long systemTicks, long cpuDeltaTicks, int threads,
                         TaskSchedstat schedstat, long voluntaryCtxtSwitches, long involuntaryCtxtSwitches,
                         int threadsSummed) {
}
