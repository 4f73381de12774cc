package io.vcpubal.host.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileTest {
    private static final HostTopology TWO_CPUS = HostTopology.uniform(1, 2, 1);
    private static final HostTopology FOUR_CPUS = HostTopology.uniform(1, 4, 1);

    private static Plan plan(HostTopology host, VmSpec... vms) {
        return Planner.plan(host, ReservedCpus.none(), List.of(vms));
    }

    /** A guest of {@code vcpus} CPUs, cpu0 not offlinable, {@code online} online. */
    private static GuestView guest(int vcpus, String online) {
        return new GuestView(CpuSet.range(0, vcpus - 1), CpuSet.range(1, vcpus - 1), 1, CpuSet.parse(online));
    }

    private static List<CpuSet> pinsOf(VmSteps steps) {
        List<CpuSet> out = new ArrayList<>();
        for (Action a : steps.pins()) {
            if (a instanceof Action.PinVcpu p) {
                out.add(p.cpus());
            }
        }
        return out;
    }

    @Test
    void pinsComeFirstAndTheBalloonAsksForASet() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2));
        VmSteps s = ReconcileSteps.forVm(plan.vm("a"), Observed.fresh(2, guest(2, "0-1")), CpuSet.empty());
        CpuSet own = plan.vm("a").vcpuPins().get(0);
        assertEquals(List.of(own, own), pinsOf(s), "the still-online vCPU 1 stacks on a's own pCPU until offline");
        assertEquals(new Action.Balloon("a", CpuSet.of(0), true), s.balloon());
    }

    @Test
    void growingPinsTheNewVcpuBeforeItComesOnline() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2));
        VmSteps s = ReconcileSteps.forVm(plan.vm("a"), Observed.fresh(2, guest(2, "0")), CpuSet.empty());
        assertEquals(plan.vm("a").vcpuPins(), pinsOf(s));
        assertEquals(new Action.Balloon("a", CpuSet.of(0, 1), false), s.balloon());
    }

    @Test
    void withoutAnAgentEveryVcpuIsConfinedToTheVmsDedicatedPcpus() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2));
        VmSteps s = ReconcileSteps.forVm(plan.vm("b"), Observed.fresh(2, null), CpuSet.empty());
        CpuSet own = plan.vm("b").cpus();
        assertEquals(List.of(own, own), pinsOf(s));
        assertNull(s.balloon());
        assertFalse(own.intersects(plan.vm("a").cpus()), "the two VMs' shares do not overlap");
    }

    @Test
    void aGuestThatRefusedKeepsEveryVcpuInsideItsOwnAllocation() {
        // Share 1.5 on 4 pCPUs with 3 VMs: one dedicated pCPU plus one balanced vCPU in the pool.
        Plan plan = plan(FOUR_CPUS, VmSpec.of("a", 3, 4), VmSpec.of("b", 3, 4), VmSpec.of("c", 2, 4));
        VmPlan a = plan.vm("a");
        Observed refused = new Observed(4, guest(4, "0-3"), List.of(), null, false,
                new Observed.Refusal(CpuSet.range(0, a.onlineVcpus() - 1), CpuSet.range(0, 3)));
        VmSteps s = ReconcileSteps.forVm(a, refused, CpuSet.empty());
        assertNull(s.balloon(), "the same request from the same state is not repeated");
        List<CpuSet> pins = pinsOf(s);
        for (int v = 0; v < 4; v++) {
            assertTrue(pins.get(v).isSubsetOf(a.cpus()), "vCPU " + v + " inside a's allocation: " + pins);
        }
        long inPool = pins.stream().filter(p -> p.intersects(plan.sharedPool())).count();
        assertTrue(inPool <= 1, "only the one balanced vCPU may run in the pool: " + pins);
    }

    @Test
    void aRefusalIsRetriedOnceTheGuestChanges() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2));
        Observed o = new Observed(2, guest(2, "0-1"), List.of(), null, false,
                new Observed.Refusal(CpuSet.of(0), CpuSet.of(0)));
        assertEquals(CpuSet.of(0), ReconcileSteps.forVm(plan.vm("a"), o, CpuSet.empty()).balloon().online(),
                "the guest went from 0 to 0-1 on its own (a udev rule): re-asserted");
    }

    @Test
    void setsNotCountsAProtectedCpuStaysOnlineAndGetsASlot() {
        Plan plan = plan(FOUR_CPUS, VmSpec.of("a", 1, 4), VmSpec.of("b", 1, 4));
        VmPlan a = plan.vm("a");
        assertEquals(2, a.onlineVcpus());
        // cpu3 is protected in the guest: offlinable 1-2 only.
        GuestView g = new GuestView(CpuSet.range(0, 3), CpuSet.range(1, 2), 1, CpuSet.range(0, 3));
        VmSteps s = ReconcileSteps.forVm(a, Observed.fresh(4, g), CpuSet.empty());
        assertEquals(CpuSet.of(0, 3), s.wanted());
        assertEquals(CpuSet.of(0, 3), s.balloon().online());
        List<CpuSet> pins = pinsOf(s);
        assertEquals(a.vcpuPins().get(0), pins.get(0));
        assertEquals(a.vcpuPins().get(1), pins.get(3), "the protected CPU gets the second slot");
        assertEquals(a.cpus(), pins.get(1), "vCPUs to go offline stay inside a's pCPUs");
    }

    @Test
    void theFloorAndAGuestWithFewerCpusThanQemuAreRespected() {
        Plan plan = plan(FOUR_CPUS, VmSpec.of("a", 1, 4), VmSpec.of("b", 3, 4));
        VmPlan a = plan.vm("a");
        assertEquals(1, a.onlineVcpus());
        GuestView floor3 = new GuestView(CpuSet.range(0, 3), CpuSet.range(1, 3), 3, CpuSet.range(0, 3));
        assertEquals(CpuSet.range(0, 2), ReconcileSteps.forVm(a, Observed.fresh(4, floor3), CpuSet.empty()).wanted());
        GuestView twoPresent = new GuestView(CpuSet.range(0, 1), CpuSet.of(1), 1, CpuSet.range(0, 1));
        VmSteps s = ReconcileSteps.forVm(a, Observed.fresh(4, twoPresent), CpuSet.empty());
        assertEquals(CpuSet.of(0), s.wanted());
        assertTrue(pinsOf(s).stream().allMatch(p -> p.isSubsetOf(a.cpus())));
    }

    @Test
    void aSecondRoundWithEverythingAppliedDoesNothing() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2));
        CpuSet own = plan.vm("a").cpus();
        Observed applied = new Observed(2, guest(2, "0"), List.of(own, own), CpuSet.of(0, 1), false, null);
        assertTrue(ReconcileSteps.forVm(plan.vm("a"), applied, CpuSet.of(0, 1)).isEmpty());
    }

    @Test
    void noBalloonWhileOneIsInFlight() {
        Plan plan = plan(TWO_CPUS, VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2));
        Observed pending = new Observed(2, guest(2, "0-1"), List.of(), null, true, null);
        assertNull(ReconcileSteps.forVm(plan.vm("a"), pending, CpuSet.empty()).balloon());
    }

    // ---- order across VMs, with a recording actuator that checks the invariant after every action ----

    /** Applies pins to a model of the kernel and fails if two VMs' dedicated pCPUs ever overlap. */
    private static final class RecordingKernel implements Actuator {
        final Map<String, List<CpuSet>> pins = new HashMap<>();
        final Map<String, CpuSet> shared = new HashMap<>();
        final List<Action> log = new ArrayList<>();
        final List<String> failFor = new ArrayList<>();

        RecordingKernel vm(String name, List<CpuSet> current, CpuSet sharedPin) {
            pins.put(name, new ArrayList<>(current));
            shared.put(name, sharedPin);
            return this;
        }

        @Override
        public void execute(Action action) throws Exception {
            if (failFor.contains(action.vm())) {
                throw new Exception("VM " + action.vm() + ": ESRCH");
            }
            log.add(action);
            if (action instanceof Action.PinVcpu p) {
                pins.get(p.vm()).set(p.vcpu(), p.cpus());
            }
            for (String x : pins.keySet()) {
                for (String y : pins.keySet()) {
                    if (x.compareTo(y) < 0) {
                        CpuSet overlap = Reconciler.held(pins.get(x)).intersection(Reconciler.held(pins.get(y)))
                                .minus(shared.get(x).intersection(shared.get(y)));
                        assertTrue(overlap.isEmpty(), "after " + action + ": " + x + " and " + y + " overlap on "
                                + overlap + " " + pins);
                    }
                }
            }
        }
    }

    /** a had pCPUs 0-2 (weight 3:1), b had 3; with equal weights a shrinks to 0-1 and b grows to 2-3. */
    private static List<VmSteps> weightChangeRound(RecordingKernel k) {
        Plan before = plan(FOUR_CPUS, VmSpec.of("a", 3, 4), VmSpec.of("b", 1, 4));
        Plan after = Planner.plan(FOUR_CPUS, ReservedCpus.none(), List.of(VmSpec.of("a", 1, 4), VmSpec.of("b", 1, 4)),
                before.assignment());
        List<VmSteps> round = new ArrayList<>();
        for (String vm : List.of("b", "a")) { // the grower first in input order: the reconciler must still wait
            List<CpuSet> applied = OnlineSets.pins(before.vm(vm), 4, CpuSet.range(0, 3));
            k.vm(vm, applied, OnlineSets.sharedPin(after.vm(vm)));
            round.add(ReconcileSteps.forVm(after.vm(vm), new Observed(4, null, applied, null, false, null),
                    CpuSet.empty()));
        }
        assertEquals(CpuSet.range(0, 2), Reconciler.held(k.pins.get("a")));
        assertEquals(CpuSet.of(3), Reconciler.held(k.pins.get("b")));
        return round;
    }

    @Test
    void shrinkingVmsMoveOutBeforeGrowingVmsMoveIn() {
        RecordingKernel k = new RecordingKernel();
        Reconciler.Result r = new Reconciler(k).pin(weightChangeRound(k));
        assertTrue(r.outcomes().stream().allMatch(VmOutcome::succeeded), r.toString());
        assertFalse(r.brokeCycle());
        int lastA = -1;
        int firstBIntoA = Integer.MAX_VALUE;
        for (int i = 0; i < k.log.size(); i++) {
            Action.PinVcpu p = (Action.PinVcpu) k.log.get(i);
            if (p.vm().equals("a")) {
                lastA = Math.max(lastA, i);
            } else if (p.cpus().intersects(CpuSet.range(0, 2))) {
                firstBIntoA = Math.min(firstBIntoA, i);
            }
        }
        assertTrue(lastA < firstBIntoA, "every pin of a before b moves onto a's former pCPUs: " + k.log);
        assertEquals(CpuSet.range(0, 1), Reconciler.held(k.pins.get("a")));
        assertEquals(CpuSet.range(2, 3), Reconciler.held(k.pins.get("b")));
    }

    @Test
    void aVmWhosePinsFailKeepsItsPcpusAndTheGrowerWaits() {
        RecordingKernel k = new RecordingKernel();
        List<VmSteps> round = weightChangeRound(k);
        k.failFor.add("a");
        Reconciler.Result r = new Reconciler(k).pin(round);
        VmOutcome b = r.outcomes().get(0);
        VmOutcome a = r.outcomes().get(1);
        assertEquals("VM a: ESRCH", a.error());
        assertFalse(b.succeeded());
        assertTrue(b.error().contains("held by VM a"), b.error());
        assertFalse(Reconciler.held(k.pins.get("b")).intersects(CpuSet.range(0, 2)), "b never ran on a's pCPUs");
    }

    /**
     * A fleet-sized weight change (the shape that made rounds take seconds): 60 VMs of 1-4 vCPUs on 32 pCPUs,
     * a fifth of them re-weighed, agents holding the online sets the old plan wanted. Every pin lands, and after
     * every single one no pCPU is held by two VMs unless both hold it only through a pool pin (old or new pool:
     * balanced vCPUs share the pool by design, and leave the old one in the same round).
     */
    @Test
    void aFleetWeightChangeLandsEveryPinWithoutOverlap() {
        HostTopology host = HostTopology.uniform(2, 8, 2);
        java.util.Random random = new java.util.Random(5);
        List<VmSpec> before = new ArrayList<>();
        List<VmSpec> after = new ArrayList<>();
        int[] weights = {128, 256, 512, 1024};
        for (int i = 0; i < 60; i++) {
            int w = weights[random.nextInt(4)];
            int vcpus = 1 + random.nextInt(4);
            before.add(VmSpec.of("vm" + i, w, vcpus));
            after.add(VmSpec.of("vm" + i, i % 5 == 0 ? 4 * w : w, vcpus));
        }
        Plan old = Planner.plan(host, ReservedCpus.none(), before);
        Plan next = Planner.plan(host, ReservedCpus.none(), after, old.assignment());
        Set<CpuSet> pools = new HashSet<>();
        for (VmSpec vm : after) {
            pools.add(OnlineSets.sharedPin(old.vm(vm.name())));
            pools.add(OnlineSets.sharedPin(next.vm(vm.name())));
        }
        pools.remove(CpuSet.empty());
        Map<String, List<CpuSet>> kernel = new HashMap<>();
        Actuator k = action -> {
            if (action instanceof Action.PinVcpu p) {
                kernel.get(p.vm()).set(p.vcpu(), p.cpus());
            }
            Map<Integer, String> exclusive = new HashMap<>();
            kernel.forEach((vm, pins) -> pins.stream().filter(c -> !pools.contains(c)).forEach(c -> c.forEach(cpu -> {
                String other = exclusive.put(cpu, vm);
                assertTrue(other == null || other.equals(vm), "after " + action + ": pCPU " + cpu + " dedicated to "
                        + vm + " and " + other);
            })));
            kernel.forEach((vm, pins) -> pins.stream().filter(pools::contains).forEach(c -> c.forEach(cpu -> {
                String owner = exclusive.get(cpu);
                assertTrue(owner == null || owner.equals(vm), "after " + action + ": pCPU " + cpu + " dedicated to "
                        + owner + " is in " + vm + "'s pool pin");
            })));
        };
        List<VmSteps> round = new ArrayList<>();
        for (VmSpec vm : after) {
            int vcpus = vm.maxVcpus();
            CpuSet online = CpuSet.range(0, old.vm(vm.name()).onlineVcpus() - 1);
            List<CpuSet> applied = OnlineSets.pins(old.vm(vm.name()), vcpus, online);
            kernel.put(vm.name(), new ArrayList<>(applied));
            CpuSet offlinable = vcpus > 1 ? CpuSet.range(1, vcpus - 1) : CpuSet.empty();
            GuestView g = new GuestView(CpuSet.range(0, vcpus - 1), offlinable, 1, online);
            round.add(ReconcileSteps.forVm(next.vm(vm.name()), new Observed(vcpus, g, applied, null, false, null),
                    CpuSet.empty()).withWasShared(OnlineSets.sharedPin(old.vm(vm.name()))));
        }
        Reconciler.Result r = new Reconciler(k).pin(round);
        assertFalse(r.brokeCycle(), "a pool that changes is no cycle: balanced vCPUs share old and new pool");
        assertTrue(r.outcomes().stream().allMatch(VmOutcome::succeeded), r.toString());
        for (VmSteps st : round) {
            for (Action a : st.pins()) {
                if (a instanceof Action.PinVcpu p) {
                    assertEquals(p.cpus(), kernel.get(p.vm()).get(p.vcpu()), "every pin applied: " + p);
                }
            }
        }
    }
}
