package io.vcpubal.host.plan;

import static io.vcpubal.host.plan.Mode.BALANCED;
import static io.vcpubal.host.plan.Mode.DEDICATED;
import static io.vcpubal.host.plan.Topologies.PAPER_12CORE;
import static io.vcpubal.host.plan.Topologies.THIS_HOST_2CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The planner with demand: lending what idle VMs leave, giving it back, and the guarantees around it. */
class DemandPlannerTest {

    private static VmSpec vm(String name, long weight, int max, double demand) {
        return VmSpec.of(name, weight, max).withDemand(demand);
    }

    private static Plan plan(Topologies topo, List<VmSpec> vms) {
        Plan plan = Planner.plan(topo.topology, ReservedCpus.none(), vms);
        PlanInvariants.check(topo.topology, ReservedCpus.none(), vms, plan);
        return plan;
    }

    private static void assertVm(Plan plan, String vm, double share, Mode mode, String dedicated) {
        VmPlan p = plan.vm(vm);
        assertEquals(share, p.share(), 1e-9, vm + " share");
        assertEquals(mode, p.mode(), vm + " mode");
        assertEquals(dedicated, p.dedicatedCpus().toString(), vm + " dedicated pCPUs");
    }

    @Test
    void anIdleLendersPcpuGoesToTheBusyVmAtIdlePriority() {
        Plan p = plan(THIS_HOST_2CPU, List.of(vm("a", 1, 2, 0.02), vm("b", 1, 2, 2)));
        assertVm(p, "a", 0.1, BALANCED, "");
        assertVm(p, "b", 1.9, BALANCED, "0");
        assertEquals("1", p.sharedPool().toString());
        assertEquals(1, p.vm("a").entitlement(), 0);
        assertEquals(1, p.vm("b").entitlement(), 0);
        assertEquals(0.9, p.vm("b").borrowed(), 1e-9);
        assertTrue(p.vm("b").borrowsPool(), "b's pool vCPU runs only on time a leaves");
        assertFalse(p.vm("a").borrowsPool(), "a's own vCPU keeps normal priority: it preempts b's at once");
    }

    @Test
    void twoBorrowersOfDifferentWeightsDivideTheLoanByWeight() {
        // weights 1:2:1 on 12: entitlements 3, 6, 3; a uses 0.5, so 11.5 go 2:1 to b and c.
        Plan p = plan(PAPER_12CORE, List.of(vm("a", 1, 12, 0.5), vm("b", 2, 12, 12), vm("c", 1, 12, 12)));
        assertVm(p, "a", 0.5, BALANCED, "");
        assertEquals(11.5 * 2 / 3, p.vm("b").share(), 1e-9);
        assertEquals(11.5 / 3, p.vm("c").share(), 1e-9);
        assertEquals(6, p.vm("b").entitlement(), 1e-9);
        assertEquals(3, p.vm("a").entitledVcpus());
        assertEquals(1, p.vm("a").onlineVcpus(), "a lends: 1 vCPU online of its entitled 3");
        assertEquals(6, p.vm("b").entitledVcpus());
        assertEquals(8, p.vm("b").onlineVcpus(), "b borrows: 7 dedicated + 1 pool vCPU over its 6");
        assertTrue(p.vm("b").borrowsPool(), "b's 7 dedicated pCPUs cover its 6: its pool time is all lent");
        assertTrue(p.vm("c").borrowsPool(), "c's 3 dedicated pCPUs cover its 3");
    }

    @Test
    void fractionalEntitlementsCountTheirPoolVcpu() {
        Plan p = plan(THIS_HOST_2CPU, List.of(vm("a", 3, 2, 2), vm("b", 1, 2, 2)));
        assertEquals(1.5, p.vm("a").entitlement(), 1e-9);
        assertEquals(2, p.vm("a").entitledVcpus());
        assertEquals(1, p.vm("b").entitledVcpus());
        assertEquals(p.vm("a").onlineVcpus(), p.vm("a").entitledVcpus(), "everyone busy: everyone at its entitlement");
        assertEquals(p.vm("b").onlineVcpus(), p.vm("b").entitledVcpus());
    }

    @Test
    void aBorrowerThatDoesNotNeedAllOfTheLoanLeavesTheRestToTheOther() {
        // a idle, b wants 5 of its entitled 6 → the spare goes to c, who wants everything.
        Plan p = plan(PAPER_12CORE, List.of(vm("a", 1, 12, 0), vm("b", 2, 12, 5), vm("c", 1, 12, 12)));
        assertVm(p, "a", 0.1, BALANCED, "");
        assertEquals(5, p.vm("b").share(), 1e-9);
        assertEquals(6.9, p.vm("c").share(), 1e-9);
    }

    @Test
    void theOwnerWakingUpGetsItsEntitlementBackAndTheBorrowerKeepsItsDedicatedPcpu() {
        Plan lent = plan(THIS_HOST_2CPU, List.of(vm("a", 1, 2, 0), vm("b", 1, 2, 2)));
        List<VmSpec> awake = List.of(vm("a", 1, 2, 2), vm("b", 1, 2, 2));
        Plan back = Planner.plan(THIS_HOST_2CPU.topology, ReservedCpus.none(), awake, lent.assignment());
        PlanInvariants.check(THIS_HOST_2CPU.topology, ReservedCpus.none(), awake, back);
        assertVm(back, "a", 1, DEDICATED, "1");
        assertVm(back, "b", 1, DEDICATED, "0");
        assertEquals(0, PlanInvariants.movedDedicatedPins(lent, back), "b's vCPU0 did not move");
    }

    @Test
    void everyoneBusyOrEveryoneIdlePlansAsWithoutDemand() {
        for (double demand : new double[] {0, 0.3, 2}) {
            Plan withDemand = plan(THIS_HOST_2CPU, List.of(vm("a", 3, 2, demand), vm("b", 1, 2, demand)));
            Plan weightOnly = plan(THIS_HOST_2CPU, List.of(VmSpec.of("a", 3, 2), VmSpec.of("b", 1, 2)));
            assertEquals(weightOnly, withDemand, "demand " + demand + " on both");
        }
        Plan paper = plan(PAPER_12CORE, List.of(vm("vm1", 512, 12, 12), vm("vm2", 256, 12, 12)));
        assertVm(paper, "vm1", 8, DEDICATED, "0-7");
        assertVm(paper, "vm2", 4, DEDICATED, "8-11");
    }

    @Test
    void aMinimumHoldsWhateverTheDemand() {
        Plan p = plan(PAPER_12CORE, List.of(new VmSpec("a", 1, 12, 4, 0), vm("b", 1, 12, 12)));
        assertEquals(4, p.vm("a").share(), 1e-9);
        assertEquals(DEDICATED, p.vm("a").mode());
        assertEquals(8, p.vm("b").share(), 1e-9);
    }

    /**
     * 2,000 random hosts, weights and demands: a VM gets at least min(its demand cap, its entitlement) (so
     * everything it is entitled to when it asks), and the pCPUs are all handed out unless every VM is capped.
     */
    @Test
    void noVmGetsLessThanItsEntitlementWhenItAsksForIt() {
        Random random = new Random(13);
        for (int round = 0; round < 2_000; round++) {
            Topologies topo = random.nextBoolean() ? PAPER_12CORE : THIS_HOST_2CPU;
            int pcpus = topo.topology.numCpus();
            int n = 1 + random.nextInt(4);
            List<VmSpec> vms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int max = 1 + random.nextInt(pcpus);
                double demand = random.nextInt(3) == 0 ? max : random.nextDouble() * max;
                vms.add(vm("vm" + i, 1 + random.nextInt(512), max, demand));
            }
            Plan p = plan(topo, vms);
            double[] entitled = Shares.entitlements(vms, pcpus);
            for (int i = 0; i < n; i++) {
                VmSpec spec = vms.get(i);
                double cap = Math.min(spec.maxVcpus(), Math.max(Shares.MIN_DEMAND_SHARE, spec.demand()));
                VmPlan vp = p.vms().get(i);
                assertEquals(entitled[i], vp.entitlement(), 1e-9, "entitlement of " + spec);
                assertTrue(vp.share() >= Math.min(cap, entitled[i]) - 1e-9,
                        "round " + round + ": " + spec + " got " + vp.share() + " < min(cap, entitlement "
                                + entitled[i] + ") in " + vms);
            }
        }
    }

    @Test
    void aDemandBeyondTheMaxIsTheMax() {
        HostTopology t = THIS_HOST_2CPU.topology;
        Plan p = Planner.plan(t, ReservedCpus.none(), List.of(vm("a", 1, 1, 1), vm("b", 1, 2, 0)));
        assertEquals(1, p.vm("a").share(), 1e-9);
        assertEquals(1, p.vm("b").share(), 1e-9, "nobody wants it, but it is handed out: work-conserving");
    }
}
