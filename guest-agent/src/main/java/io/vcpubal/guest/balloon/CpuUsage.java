package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.CpuSet;

/** The guest's CPUs as the balloon sees them: online to the kernel, and which of those are fenced. */
public record CpuUsage(CpuSet online, CpuSet fenced) {
    public CpuSet usable() {
        return online.minus(fenced);
    }
}
