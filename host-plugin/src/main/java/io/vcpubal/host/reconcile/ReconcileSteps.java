package io.vcpubal.host.reconcile;

import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: the ordered actions that take one VM from what is observed to what the plan wants.
 *
 * <ol>
 *   <li>Shrinking: balloon the guest first, then re-pin, so no vCPU that is still online is squeezed onto a
 *       pCPU another VM is about to get.</li>
 *   <li>Growing: pin first, then online, so a vCPU comes online already on its own pCPU.</li>
 *   <li>vCPUs past the plan's online count (offline ones, or all of them when no agent can balloon) are
 *       pinned to the VM's whole set: the VM's share is then enforced by pinning alone.</li>
 *   <li>Only pins that differ from the last applied ones are written.</li>
 * </ol>
 */
public final class ReconcileSteps {
    private ReconcileSteps() {}

    public static List<Action> forVm(VmPlan plan, Observed observed, CpuSet emulatorCpus) {
        String vm = plan.name();
        int target = Math.min(plan.onlineVcpus(), observed.vcpus());
        List<Action> pins = new ArrayList<>();
        for (int vcpu = 0; vcpu < observed.vcpus(); vcpu++) {
            CpuSet wanted = vcpu < target ? plan.vcpuPins().get(vcpu) : plan.cpus();
            if (!wanted.equals(observed.appliedPin(vcpu))) {
                pins.add(new Action.PinVcpu(vm, vcpu, wanted));
            }
        }
        if (!emulatorCpus.isEmpty() && !emulatorCpus.equals(observed.appliedEmulator())) {
            pins.add(new Action.PinEmulator(vm, emulatorCpus));
        }
        List<Action> steps = new ArrayList<>();
        if (observed.guestOnline().isEmpty() || observed.guestOnline().getAsInt() == target) {
            steps.addAll(pins);
        } else if (target < observed.guestOnline().getAsInt()) {
            steps.add(new Action.Balloon(vm, target));
            steps.addAll(pins);
        } else {
            steps.addAll(pins);
            steps.add(new Action.Balloon(vm, target));
        }
        return steps;
    }
}
