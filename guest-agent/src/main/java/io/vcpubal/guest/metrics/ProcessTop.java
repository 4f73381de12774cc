package io.vcpubal.guest.metrics;

import java.util.List;

/**
 * The processes that used the most CPU between two samples.
 *
 * @param processes at most the sampler's N, most CPU first; processes that used no CPU are left out
 * @param scanned how many processes were looked at
 * @param cpuDeltaTicksAll user + system ticks of all scanned processes since the previous sample, so the
 *     share of the top N can be judged
 * @param baseline true for a sampler's first sample, whose deltas are totals since each process started
 */
public record ProcessTop(List<ProcessCpu> processes, int scanned, long cpuDeltaTicksAll, boolean baseline) {

    public ProcessTop {
        processes = List.copyOf(processes);
    }
}
