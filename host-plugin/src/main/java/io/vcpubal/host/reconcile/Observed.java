package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;
import java.util.List;
import java.util.OptionalInt;

/**
 * What the host knows of one VM before reconciling.
 *
 * @param vcpus vCPUs QEMU has (online or not)
 * @param guestOnline online vCPUs as the agent reports them; empty when no agent is connected
 * @param appliedPins the pin last applied to each vCPU (index = vCPU), shorter or empty when unknown
 * @param appliedEmulator the emulator pin last applied, null when none
 */
public record Observed(int vcpus, OptionalInt guestOnline, List<CpuSet> appliedPins, CpuSet appliedEmulator) {
    public Observed {
        appliedPins = List.copyOf(appliedPins);
    }

    public static Observed fresh(int vcpus, OptionalInt guestOnline) {
        return new Observed(vcpus, guestOnline, List.of(), null);
    }

    CpuSet appliedPin(int vcpu) {
        return vcpu < appliedPins.size() ? appliedPins.get(vcpu) : null;
    }
}
