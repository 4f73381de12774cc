package io.vcpubal.host.backend;

import java.util.List;

/**
 * One observation of a VM's hypervisor process.
 *
 * @param pid        the QEMU process (from the QMP socket's peer credentials or the pidfile)
 * @param startTicks its start time (/proc/PID/stat field 22): a restarted QEMU with a reused pid differs here
 * @param reportedVcpus vCPUs the hypervisor reported (indices 0..reportedVcpus-1), accepted or not
 * @param vcpus      the vCPU threads that are verified tasks of {@code pid}, by vCPU index
 * @param problems   why some reported vCPU threads were not accepted; not empty = the VM is degraded
 */
public record VmProcess(int pid, long startTicks, int reportedVcpus, List<VcpuThread> vcpus, List<String> problems) {
    public VmProcess {
        vcpus = List.copyOf(vcpus);
        problems = List.copyOf(problems);
    }

    /** Whether {@code other} is the same process incarnation (same pid and start time). */
    public boolean sameProcess(VmProcess other) {
        return other != null && pid == other.pid && startTicks == other.startTicks;
    }

    /** The accepted thread of vCPU {@code index}, or null when it was not accepted. */
    public VcpuThread vcpu(int index) {
        for (VcpuThread t : vcpus) {
            if (t.cpuIndex() == index) {
                return t;
            }
        }
        return null;
    }

    public boolean degraded() {
        return !problems.isEmpty();
    }
}
