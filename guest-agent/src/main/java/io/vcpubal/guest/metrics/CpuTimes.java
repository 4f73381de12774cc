package io.vcpubal.guest.metrics;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code /proc/stat} says about CPU time.
 *
 * @param all the aggregate "cpu" line (summed over all possible CPUs, so it keeps counting across hotplug)
 * @param perCpu the "cpuN" lines; the kernel prints online CPUs only
 * @param contextSwitches the "ctxt" line
 * @param procsRunning the "procs_running" line: runnable tasks right now
 * @param procsBlocked the "procs_blocked" line: tasks waiting for I/O right now
 */
public record CpuTimes(CpuTicks all, SortedMap<Integer, CpuTicks> perCpu, long contextSwitches, long procsRunning,
                       long procsBlocked) {

    public static final CpuTimes EMPTY = new CpuTimes(CpuTicks.ZERO, new TreeMap<>(), 0, 0, 0);

    public CpuTimes {
        perCpu = Collections.unmodifiableSortedMap(new TreeMap<>(perCpu));
    }
}
