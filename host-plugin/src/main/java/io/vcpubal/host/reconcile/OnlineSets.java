package io.vcpubal.host.reconcile;

import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: which vCPUs a guest should keep online, and where each vCPU thread goes.
 *
 * <p>The host sends sets, not counts. The wanted set keeps every CPU the guest cannot or will not offline
 * (cpu0, protected CPUs: present but not offlinable), then fills up with offlinable CPUs lowest-numbered first,
 * to the plan's count but never below the guest's floor. The plan's pins are slots: the i-th CPU of the wanted
 * set gets slot i. Every vCPU without a slot (one the guest should take offline, one a guest keeps online
 * against the plan, or every vCPU past the count when there is no agent) is confined to the VM's dedicated
 * pCPUs — or, for a VM without any, to its one pool pin: so whatever the guest does, its threads stay inside
 * its own allocation, and a guest that refuses only stacks its own vCPUs.
 */
public final class OnlineSets {
    private OnlineSets() {}

    /**
     * @param target vCPUs the plan wants online
     * @param vcpus  vCPU threads QEMU has (indices 0..vcpus-1)
     * @param guest  null without a connected agent: then all vCPUs count as online
     */
    public static CpuSet wanted(int target, int vcpus, GuestView guest) {
        CpuSet all = vcpus == 0 ? CpuSet.empty() : CpuSet.range(0, vcpus - 1);
        if (guest == null) {
            return all;
        }
        CpuSet candidates = guest.present().intersection(all);
        CpuSet keep = candidates.minus(guest.offlinable());
        int count = Math.min(candidates.size(), Math.max(Math.max(target, guest.floor()), keep.size()));
        CpuSet out = keep;
        for (int cpu : candidates.intersection(guest.offlinable()).toArray()) {
            if (out.size() >= count) {
                break;
            }
            out = out.with(cpu);
        }
        return out;
    }

    /** The pin of each vCPU thread 0..vcpus-1 when {@code online} are the vCPUs online. */
    public static List<CpuSet> pins(VmPlan plan, int vcpus, CpuSet online) {
        CpuSet confined = confinement(plan);
        List<CpuSet> out = new ArrayList<>(vcpus);
        int slot = 0;
        for (int v = 0; v < vcpus; v++) {
            if (online.contains(v) && slot < plan.onlineVcpus()) {
                out.add(plan.vcpuPins().get(slot++));
            } else {
                out.add(confined);
            }
        }
        return out;
    }

    /** Where a vCPU without a slot goes: the VM's dedicated pCPUs, else its pool pin. */
    public static CpuSet confinement(VmPlan plan) {
        CpuSet dedicated = plan.dedicatedCpus();
        if (!dedicated.isEmpty()) {
            return dedicated;
        }
        return plan.vcpuPins().isEmpty() ? plan.cpus() : plan.vcpuPins().get(plan.vcpuPins().size() - 1);
    }

    /** The pCPUs a VM shares with other VMs by design (its balanced vCPU's pool pin); empty when dedicated. */
    public static CpuSet sharedPin(VmPlan plan) {
        return plan.dedicatedVcpus() == plan.onlineVcpus() || plan.vcpuPins().isEmpty() ? CpuSet.empty()
                : plan.vcpuPins().get(plan.vcpuPins().size() - 1);
    }
}
