package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;

/**
 * What a connected agent said about its guest: from its Hello ({@code present}, {@code offlinable},
 * {@code floor}) and its latest report ({@code online}). Untrusted: only used to choose which of the VM's
 * own vCPUs to ask for, never to widen what the VM is pinned to.
 */
public record GuestView(CpuSet present, CpuSet offlinable, int floor, CpuSet online) {}
