package io.vcpubal.host.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ReconcileTest {
    /** This machine's shape: 2 CPUs, one socket, no SMT. */
    private static final HostTopology TWO_CPUS = HostTopology.uniform(1, 2, 1);

    private static Plan equalTwoVms() {
        return Planner.plan(TWO_CPUS, ReservedCpus.none(), List.of(VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2)));
    }

    @Test
    void shrinkingBalloonsBeforeItPins() {
        Plan plan = equalTwoVms();
        List<Action> steps = ReconcileSteps.forVm(plan.vm("a"), Observed.fresh(2, OptionalInt.of(2)), CpuSet.empty());
        CpuSet own = plan.vm("a").vcpuPins().get(0);
        assertEquals(List.of(new Action.Balloon("a", 1), new Action.PinVcpu("a", 0, own), new Action.PinVcpu("a", 1, own)),
                steps);
    }

    @Test
    void growingPinsBeforeItOnlines() {
        Plan plan = Planner.plan(TWO_CPUS, ReservedCpus.none(), List.of(VmSpec.of("a", 1, 2)));
        List<Action> steps = ReconcileSteps.forVm(plan.vm("a"), Observed.fresh(2, OptionalInt.of(1)), CpuSet.empty());
        assertEquals(2, plan.vm("a").onlineVcpus());
        assertEquals(new Action.Balloon("a", 2), steps.get(steps.size() - 1));
        assertTrue(steps.subList(0, steps.size() - 1).stream().allMatch(s -> s instanceof Action.PinVcpu));
        assertEquals(2, steps.size() - 1);
    }

    @Test
    void withoutAnAgentEveryVcpuIsConfinedToTheVmsShare() {
        Plan plan = equalTwoVms();
        List<Action> steps = ReconcileSteps.forVm(plan.vm("b"), Observed.fresh(2, OptionalInt.empty()), CpuSet.empty());
        CpuSet own = plan.vm("b").cpus();
        assertEquals(List.of(new Action.PinVcpu("b", 0, own), new Action.PinVcpu("b", 1, own)), steps);
        assertFalse(own.intersects(plan.vm("a").cpus()), "the two VMs' shares do not overlap");
    }

    @Test
    void aSecondRoundWithEverythingAppliedDoesNothing() {
        Plan plan = equalTwoVms();
        CpuSet own = plan.vm("a").cpus();
        Observed applied = new Observed(2, OptionalInt.of(1), List.of(own, own), CpuSet.of(0, 1));
        assertEquals(List.of(), ReconcileSteps.forVm(plan.vm("a"), applied, CpuSet.of(0, 1)));
    }

    @Test
    void aFailureStopsOnlyThatVmsRemainingSteps() {
        Plan plan = equalTwoVms();
        Map<String, List<Action>> steps = new LinkedHashMap<>();
        steps.put("a", ReconcileSteps.forVm(plan.vm("a"), Observed.fresh(2, OptionalInt.of(2)), CpuSet.empty()));
        steps.put("b", ReconcileSteps.forVm(plan.vm("b"), Observed.fresh(2, OptionalInt.of(2)), CpuSet.empty()));
        List<Action> recorded = Collections.synchronizedList(new ArrayList<>());
        Reconciler r = new Reconciler(action -> {
            if (action instanceof Action.Balloon b && b.vm().equals("a")) {
                throw new Exception("VM a: agent refused");
            }
            recorded.add(action);
        }, Executors.newFixedThreadPool(2));
        List<VmOutcome> out = r.apply(steps);
        assertEquals("VM a: agent refused", out.get(0).error());
        assertEquals(List.of(), out.get(0).done(), "a's pins are skipped after its balloon failed");
        assertTrue(out.get(1).succeeded());
        assertEquals(steps.get("b"), recorded, "b ran all its steps, in order");
    }
}
