package io.vcpubal.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JMH benchmark's workload, checked for correctness only (no timing here). */
class LargePlanTest {

    /** 1,000 VMs with mixed weights, sizes (1-16 vCPUs) and a few minimums; deterministic. */
    static List<VmSpec> thousandVms() {
        List<VmSpec> vms = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long weight = (1 + (i * 7919L) % 1024) * (i % 10 == 0 ? 20 : 1); // every 10th VM is heavy
            int max = 1 + (i * 31) % 16;
            int min = i % 50 == 0 ? Math.min(max, 2) : 0;
            vms.add(new VmSpec("vm" + i, weight, max, min));
        }
        return vms;
    }

    @Test
    void thousandVmsOn512Cpus() {
        HostTopology t = Topologies.BIG_512CPU.topology;
        ReservedCpus reserved = ReservedCpus.parse("0,256", "1,257");
        List<VmSpec> vms = thousandVms();
        Plan plan = Planner.plan(t, reserved, vms);
        PlanInvariants.check(t, reserved, vms, plan);
        assertTrue(plan.vms().stream().anyMatch(v -> v.mode() == Mode.DEDICATED), "some VMs dedicated");
        assertTrue(plan.vms().stream().anyMatch(v -> v.dedicatedVcpus() > 0 && v.mode() == Mode.BALANCED),
                "some VMs mixed");
        PlanInvariants.checkIdempotent(t, reserved, vms, plan);

        List<VmSpec> changed = new ArrayList<>(vms);
        VmSpec heavy = changed.get(500);
        changed.set(500, new VmSpec(heavy.name(), heavy.weight() * 50, heavy.maxVcpus(), heavy.minVcpus()));
        Plan after = Planner.plan(t, reserved, changed, plan.assignment());
        PlanInvariants.check(t, reserved, changed, after);
        assertEquals(0, PlanInvariants.movedDedicatedPins(plan, after));
    }

    @Test
    void thousandEqualVmsShareOnePool() {
        HostTopology t = Topologies.BIG_512CPU.topology;
        List<VmSpec> vms = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            vms.add(VmSpec.of("vm" + i, 1, 4));
        }
        Plan plan = Planner.plan(t, ReservedCpus.none(), vms);
        PlanInvariants.check(t, ReservedCpus.none(), vms, plan);
        assertEquals(512, plan.sharedPool().size(), "0.512 each: nobody has a pCPU of its own");
        assertTrue(plan.vms().stream().allMatch(v -> v.onlineVcpus() == 1 && v.mode() == Mode.BALANCED));
    }
}
