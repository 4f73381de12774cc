package io.vcpubal.guest.metrics;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The per-CPU scheduling latency counters of {@code /proc/schedstat}.
 *
 * @param version the schedstat format version (15 on 4.x-6.x kernels; 16 and 17 keep the cpu lines)
 * @param perCpu run time, runqueue wait and timeslices per online CPU
 */
public record SchedstatTotals(int version, SortedMap<Integer, TaskSchedstat> perCpu) {

    public SchedstatTotals {
        perCpu = Collections.unmodifiableSortedMap(new TreeMap<>(perCpu));
    }

    /** The sum over all listed CPUs. */
    public TaskSchedstat all() {
        return perCpu.values().stream().reduce(TaskSchedstat.ZERO, TaskSchedstat::plus);
    }
}
