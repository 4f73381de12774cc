package io.vcpubal.host.backend;

import io.vcpubal.host.config.VmConfig;

/**
 * A backend that finds its VMs by itself (libvirt: every running domain with the vcpubal channel), so the daemon
 * needs no per-VM configuration. Kept apart from {@link HypervisorBackend}: discovery says which VMs exist and
 * with which weight, the backend acts on them.
 */
public interface VmDiscovery {
    /** Starts watching; {@code listener} is called from the discovery's own thread, never concurrently. */
    void startDiscovery(Listener listener);

    /**
     * A hint from outside (the libvirt hook, through {@code vcpubal-host notify}): something happened to VM
     * {@code vm}. Never blocks and never trusts the hint: it only makes the next full look come sooner.
     */
    void hint(String vm, String event);

    /** Makes a weight set at run time survive a daemon restart (libvirt: vcpubal's metadata in the domain). */
    void persistWeight(String vm, int weight) throws BackendException;

    /** What discovery reports. */
    interface Listener {
        /** A VM to manage now, or new settings (weight, vCPU bounds, agent channel) of one already managed. */
        void found(VmConfig vm);

        /** A managed VM that stopped or is no longer to be managed. */
        void lost(String vm, String why);
    }
}
