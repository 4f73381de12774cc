package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;

/**
 * What a connected agent said about its guest: from its Hello ({@code present}, {@code offlinable},
 * {@code floor}, {@code offersFence}) and its latest report ({@code online}, {@code fenced}). Untrusted: only
 * used to choose which of the VM's own vCPUs to ask for, never to widen what the VM is pinned to.
 *
 * @param online the USABLE CPUs: online to the guest kernel and not fenced. A fenced vCPU is out of use
 *               exactly like an offline one, so placement treats both alike.
 * @param fenced online CPUs the guest keeps fenced
 */
public record GuestView(CpuSet present, CpuSet offlinable, int floor, CpuSet online, CpuSet fenced,
                        boolean offersFence) {
    /** A hotplug-only guest with nothing fenced. */
    public GuestView(CpuSet present, CpuSet offlinable, int floor, CpuSet online) {
        this(present, offlinable, floor, online, CpuSet.empty(), false);
    }
}
