package io.vcpubal.host.accounting;

import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Samples the schedstat of every accepted vCPU thread of an observed QEMU process. */
public final class VcpuSampler {
    private final SchedstatReader reader;

    public VcpuSampler(SchedstatReader reader) {
        this.reader = reader;
    }

    /** Empty without a process or when no vCPU thread could be read (the host's view is then unknown). */
    public Optional<HostVcpuSample> sample(VmProcess process, long atNanos) {
        if (process == null) {
            return Optional.empty();
        }
        Map<Integer, TaskSchedstat> threads = new HashMap<>();
        for (VcpuThread t : process.vcpus()) {
            reader.read(process.pid(), t.threadId()).ifPresent(s -> threads.put(t.threadId(), s));
        }
        return threads.isEmpty() ? Optional.empty()
                : Optional.of(new HostVcpuSample(process.pid(), process.startTicks(), threads, atNanos));
    }
}
