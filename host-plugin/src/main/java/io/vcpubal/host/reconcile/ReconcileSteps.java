package io.vcpubal.host.reconcile;

import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: what one VM needs this round, from its plan and what is observed ({@link OnlineSets} says which vCPUs
 * and where each goes).
 *
 * <ol>
 *   <li>Pins never depend on what the guest does: each vCPU's pin follows from the wanted online set, and
 *       every vCPU without a slot is confined to the VM's own pCPUs. So pinning comes first and the balloon
 *       last, in every direction: a shrinking VM's still-online vCPUs stack on its own smaller set (hurting
 *       only it) until the guest takes them offline; a growing VM's vCPUs come online already pinned.</li>
 *   <li>Only pins that differ from the last applied ones are written.</li>
 *   <li>A balloon is asked for when the guest's usable set (online, not fenced) differs from the wanted one, or
 *       when the round's mode is hotplug and the guest still fences CPUs — also when it
 *       drifted back on its own (a udev rule onlining CPUs): it is re-asserted every round — except while one
 *       is in flight, or when the guest refused exactly this request from exactly this state before.</li>
 * </ol>
 * Across VMs, {@link Reconciler} orders the pins so no two VMs' dedicated pCPUs ever overlap.
 */
public final class ReconcileSteps {
    private ReconcileSteps() {}

    public static VmSteps forVm(VmPlan plan, Observed observed, CpuSet emulatorCpus) {
        String vm = plan.name();
        int vcpus = observed.vcpus();
        CpuSet wanted = OnlineSets.wanted(Math.min(plan.onlineVcpus(), vcpus), vcpus, observed.guest());
        List<CpuSet> pinByVcpu = OnlineSets.pins(plan, vcpus, wanted);
        List<Action> pins = new ArrayList<>();
        for (int vcpu = 0; vcpu < vcpus; vcpu++) {
            if (!pinByVcpu.get(vcpu).equals(observed.appliedPin(vcpu))) {
                pins.add(new Action.PinVcpu(vm, vcpu, pinByVcpu.get(vcpu)));
            }
        }
        if (!emulatorCpus.isEmpty() && vcpus > 0 && !emulatorCpus.equals(observed.appliedEmulator())) {
            pins.add(new Action.PinEmulator(vm, emulatorCpus));
        }
        boolean leased = leased(observed, wanted);
        return new VmSteps(vm, pins, balloon(vm, observed, wanted, leased), wanted, leased, observed.appliedPins(),
                OnlineSets.sharedPin(plan), CpuSet.empty());
    }

    /** Whether {@code wanted} keeps some of the guest's present CPUs (within QEMU's vCPUs) offline. */
    private static boolean leased(Observed o, CpuSet wanted) {
        GuestView g = o.guest();
        if (g == null) {
            return false;
        }
        CpuSet all = o.vcpus() == 0 ? CpuSet.empty() : CpuSet.range(0, o.vcpus() - 1);
        return !wanted.containsAll(g.present().intersection(all));
    }

    private static Action.Balloon balloon(String vm, Observed o, CpuSet wanted, boolean leased) {
        GuestView g = o.guest();
        if (g == null || o.balloonPending()) {
            return null;
        }
        // In hotplug mode fenced CPUs go offline even when the usable set is right (auto's long-held shrink).
        boolean convert = o.mode() == BalloonKind.HOTPLUG && !g.fenced().isEmpty();
        if (g.online().equals(wanted) && !convert) {
            return null;
        }
        Observed.Refusal r = o.refusal();
        if (r != null && r.wanted().equals(wanted) && r.online().equals(g.online()) && r.mode() == o.mode()) {
            return null;
        }
        return new Action.Balloon(vm, wanted, leased, o.mode());
    }
}
