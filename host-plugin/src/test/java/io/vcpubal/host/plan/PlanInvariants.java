package io.vcpubal.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.BitSet;
import java.util.List;

/** Properties every plan must have, checked on every test case. */
final class PlanInvariants {

    private PlanInvariants() {
    }

    static void check(HostTopology topology, ReservedCpus reserved, List<VmSpec> vms, Plan plan) {
        CpuSet assignable = topology.cpus().minus(reserved.all());
        assertEquals(assignable, plan.assignableCpus(), "assignable pCPUs");
        assertEquals(vms.size(), plan.vms().size(), "one plan per VM");

        // The shares add up to the assignable pCPUs, unless every VM is capped at its max.
        long sumMax = vms.stream().mapToLong(VmSpec::maxVcpus).sum();
        if (sumMax > assignable.size()) {
            assertEquals(assignable.size(), plan.totalShare(), 1e-9, "sum of shares");
        } else {
            for (int i = 0; i < vms.size(); i++) {
                assertEquals(vms.get(i).maxVcpus(), plan.vms().get(i).share(), "all capped: share = max");
            }
        }

        BitSet dedicatedAnywhere = new BitSet();
        for (int i = 0; i < vms.size(); i++) {
            VmSpec spec = vms.get(i);
            VmPlan vm = plan.vms().get(i);
            String who = "VM " + spec.name() + " " + vm + ": ";
            assertEquals(spec.name(), vm.name(), "input order");
            assertTrue(vm.share() > 0 && vm.share() <= spec.maxVcpus() && vm.share() >= spec.minVcpus(),
                    who + "share within [max(min,0+), max]");
            // As few vCPUs as the share allows: ceil(share), at least 1.
            assertEquals(Math.max(1, (int) Math.ceil(vm.share())), vm.onlineVcpus(), who + "online vCPUs");
            assertTrue(vm.onlineVcpus() <= spec.maxVcpus(), who + "online <= max");
            boolean whole = vm.share() == Math.rint(vm.share());
            assertEquals(whole ? Mode.DEDICATED : Mode.BALANCED, vm.mode(), who + "mode");

            BitSet own = new BitSet();
            for (int j = 0; j < vm.onlineVcpus(); j++) {
                CpuSet pin = vm.vcpuPins().get(j);
                assertFalse(pin.isEmpty(), who + "vCPU " + j + " has no pCPU");
                assertFalse(pin.intersects(reserved.all()), who + "vCPU " + j + " on a reserved CPU " + pin);
                assertTrue(pin.isSubsetOf(assignable), who + "vCPU " + j + " outside the assignable pCPUs");
                // No two vCPUs of one VM share a pCPU (balance scheduling; trivially so when dedicated).
                assertFalse(own.intersects(pin.toBitSet()), who + "two of its vCPUs share pCPU(s) " + pin);
                own.or(pin.toBitSet());
                if (j < vm.dedicatedVcpus()) {
                    // No pCPU holds two dedicated vCPUs, and none is in the shared pool.
                    assertEquals(1, pin.size(), who + "dedicated vCPU " + j + " pinned to " + pin);
                    if (dedicatedAnywhere.get(pin.first())) {
                        fail(who + "pCPU " + pin.first() + " holds two dedicated vCPUs");
                    }
                    dedicatedAnywhere.set(pin.first());
                    assertFalse(plan.sharedPool().contains(pin.first()), who + "dedicated pCPU in the pool");
                } else {
                    assertEquals(plan.sharedPool(), pin, who + "balanced vCPU runs on the shared pool");
                }
            }
        }
        assertEquals(assignable, CpuSet.of(dedicatedAnywhere).union(plan.sharedPool()),
                "every assignable pCPU is dedicated or pooled");
        assertFalse(plan.emulatorCpus().isEmpty(), "emulator threads have somewhere to go");
        assertTrue(plan.emulatorCpus().isSubsetOf(topology.cpus()), "emulator CPUs are online");
    }

    /** Re-planning with the plan itself as the current assignment changes nothing. */
    static void checkIdempotent(HostTopology topology, ReservedCpus reserved, List<VmSpec> vms, Plan plan) {
        assertEquals(plan, Planner.plan(topology, reserved, vms, plan.assignment()), "re-plan of a plan");
    }

    /**
     * Number of vCPUs dedicated in both plans whose pCPU changed. Balanced vCPUs follow the pool and are
     * not counted: re-pinning them costs the same whichever pCPUs move.
     */
    static int movedDedicatedPins(Plan before, Plan after) {
        int moved = 0;
        for (VmPlan now : after.vms()) {
            VmPlan then = before.vms().stream().filter(v -> v.name().equals(now.name())).findFirst().orElse(null);
            if (then == null) {
                continue;
            }
            int both = Math.min(then.dedicatedVcpus(), now.dedicatedVcpus());
            for (int j = 0; j < both; j++) {
                if (!then.vcpuPins().get(j).equals(now.vcpuPins().get(j))) {
                    moved++;
                }
            }
        }
        return moved;
    }
}
