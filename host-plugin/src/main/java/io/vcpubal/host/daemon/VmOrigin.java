package io.vcpubal.host.daemon;

/** How the daemon came to manage a VM. */
public enum VmOrigin {
    /** A {@code vm =} line of host.conf or {@code run --vm}: re-read on SIGHUP. */
    CONFIG,
    /** {@code vcpubal-host add-vm}: kept until {@code remove-vm} or its QEMU exits. */
    CONTROL,
    /** Found by the backend (libvirt): kept while the backend reports it. */
    DISCOVERED
}
