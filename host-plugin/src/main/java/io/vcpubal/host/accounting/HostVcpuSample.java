package io.vcpubal.host.accounting;

import java.util.Map;

/**
 * A VM's vCPU threads as the host scheduler saw them at one instant.
 *
 * @param pid        the QEMU process
 * @param startTicks its start time: a restarted QEMU with a reused pid is another process (counters restart)
 * @param threads    schedstat of each vCPU thread that could be read, by thread id; threads that could not are
 *                   absent (their time is unknown, not zero)
 * @param atNanos    host {@code System.nanoTime()} when sampled
 */
public record HostVcpuSample(int pid, long startTicks, Map<Integer, TaskSchedstat> threads, long atNanos) {
    public HostVcpuSample {
        threads = Map.copyOf(threads);
    }

    /** Run time of the sampled threads together, ns. */
    public long runNs() {
        return threads.values().stream().mapToLong(TaskSchedstat::runNs).sum();
    }

    /** Run-queue wait of the sampled threads together, ns: time a vCPU wanted a pCPU and had none. */
    public long waitNs() {
        return threads.values().stream().mapToLong(TaskSchedstat::waitNs).sum();
    }
}
