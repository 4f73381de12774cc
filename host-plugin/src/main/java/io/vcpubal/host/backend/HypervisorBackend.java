package io.vcpubal.host.backend;

import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;

/**
 * What the daemon needs from a hypervisor: which process and threads run a VM, and a way to pin them. One
 * implementation per package ({@code qmp} now; {@code libvirt} and {@code xl} later), chosen by
 * {@code backend =} in the config ({@link Backends}). Every call is bounded by the backend's own deadline and
 * fails for its VM only.
 *
 * <p>Threading: {@link #observe} may run for different VMs at once (observations run in parallel so a hung
 * QEMU costs only its own VM a timeout); pins and releases come from one thread.
 */
public interface HypervisorBackend extends AutoCloseable {
    /** Short name for logs and status ("qmp", "libvirt", "xl"). */
    String name();

    /** Starts managing {@code vm}; nothing is contacted yet. */
    void attach(VmConfig vm);

    /** Stops managing a VM (after {@link #release}). */
    void detach(String vm);

    /** The VM's process and its vCPU threads as they are now, validated ({@link VmProcess}). */
    VmProcess observe(String vm) throws BackendException;

    /** Cheap liveness check without the hypervisor's API: is this process incarnation still there? */
    boolean stillRunning(VmProcess process);

    /** Restricts one vCPU of {@code process} to {@code pcpus}; the first pin of a thread records its original affinity. */
    void pinVcpu(String vm, VmProcess process, VcpuThread vcpu, CpuSet pcpus) throws BackendException;

    /** Restricts the process's non-vCPU threads (emulator, I/O) to {@code pcpus}; never touches a vCPU thread. */
    void pinEmulator(String vm, VmProcess process, CpuSet pcpus) throws BackendException;

    /**
     * The pCPUs one vCPU thread may run on now, read back from the kernel: whatever set it (this backend,
     * libvirt, or someone behind their backs), that is where it runs.
     */
    default CpuSet affinity(VcpuThread vcpu) throws BackendException {
        try {
            return CpuSet.of(LinuxAffinity.get(vcpu.threadId()));
        } catch (LinuxAffinity.AffinityException e) {
            throw new BackendException("vCPU " + vcpu.cpuIndex() + ": " + e.getMessage(), e);
        }
    }

    /** Puts every thread this backend pinned for {@code vm} back to the affinity it had before; best effort. */
    void release(String vm);

    @Override
    void close();
}
