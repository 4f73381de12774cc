package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;
import java.util.List;

/**
 * One VM's part of a round.
 *
 * @param pins        pins that differ from the applied ones (vCPUs first, then the emulator)
 * @param balloon     the set to ask the guest for, null when nothing to ask
 * @param wanted      the online set the host wants
 * @param leased      the wanted set keeps some of the guest's CPUs offline, so a lease must guard it
 * @param sharedPin   pCPUs this VM shares with others by design (its pool pin), see {@link Reconciler}
 * @param wasShared   its pool pin in the plan before this one (empty when it had none, or it is not known): an
 *                    applied pin equal to it is a pool holding too, shared by design while the pool changes
 */
public record VmSteps(String vm, List<Action> pins, Action.Balloon balloon, CpuSet wanted, boolean leased,
                      List<CpuSet> appliedPins, CpuSet sharedPin, CpuSet wasShared) {
    public VmSteps {
        pins = List.copyOf(pins);
        appliedPins = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(appliedPins));
    }

    /** The same steps, knowing the VM's pool pin in the previous plan. */
    public VmSteps withWasShared(CpuSet previousPoolPin) {
        return new VmSteps(vm, pins, balloon, wanted, leased, appliedPins, sharedPin, previousPoolPin);
    }

    public boolean isEmpty() {
        return pins.isEmpty() && balloon == null;
    }
}
