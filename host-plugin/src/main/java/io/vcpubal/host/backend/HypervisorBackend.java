package io.vcpubal.host.backend;

import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.util.List;

/**
 * What the reconciler needs from a hypervisor: the vCPU threads of a VM and a way to pin them. One
 * implementation per package ({@code qmp} now; {@code libvirt} and {@code xen} later), chosen by config.
 * Failures are per VM and never affect other VMs. Implementations are used from one thread.
 */
public interface HypervisorBackend extends AutoCloseable {
    /** Short name for logs and status ("qmp", "libvirt", "xl"). */
    String name();

    /** Starts managing {@code vm}; connecting may happen lazily on first use. */
    void attach(VmConfig vm);

    /** Stops managing a VM and releases its connection. */
    void detach(String vm);

    /** The VM's vCPUs and the host threads that run them, by vCPU index. */
    List<VcpuThread> vcpuThreads(String vm) throws BackendException;

    /** Restricts one vCPU to {@code pcpus}. */
    void pinVcpu(String vm, int vcpu, CpuSet pcpus) throws BackendException;

    /** Restricts the VM's non-vCPU threads (emulator, I/O) to {@code pcpus}. */
    void pinEmulator(String vm, CpuSet pcpus) throws BackendException;

    /** The pCPUs one vCPU may run on now (read back from the kernel). */
    CpuSet vcpuAffinity(String vm, int vcpu) throws BackendException;

    @Override
    void close();
}
