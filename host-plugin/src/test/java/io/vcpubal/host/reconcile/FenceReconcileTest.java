package io.vcpubal.host.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.config.BalloonChoice;
import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.protocol.CpuSet;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Fence mode on the host: which mode a round uses, and how a fenced guest is placed and ballooned. */
class FenceReconcileTest {
    /** Two 4-vCPU VMs of equal weight on 4 pCPUs: each gets 2 dedicated pCPUs. */
    private static final Plan TWO_ON_FOUR = Planner.plan(HostTopology.uniform(1, 4, 1), ReservedCpus.none(),
            List.of(VmSpec.of("a", 1, 4), VmSpec.of("b", 1, 4)));

    /** A 4-CPU guest (cpu0 not offlinable) with {@code usable} usable and {@code fenced} fenced. */
    private static GuestView guest(String usable, String fenced) {
        return new GuestView(CpuSet.range(0, 3), CpuSet.range(1, 3), 1, CpuSet.parse(usable), CpuSet.parse(fenced), true);
    }

    private static Observed observed(GuestView g, BalloonKind mode) {
        return new Observed(4, g, List.of(), null, false, null, mode);
    }

    static Stream<Arguments> modes() {
        Duration fresh = Duration.ofSeconds(1);
        Duration held = BalloonModes.AUTO_HOTPLUG_AFTER;
        return Stream.of(
                Arguments.of(BalloonChoice.HOTPLUG, true, fresh, false, BalloonKind.HOTPLUG),
                Arguments.of(BalloonChoice.FENCE, true, held, false, BalloonKind.FENCE),
                Arguments.of(BalloonChoice.FENCE, true, fresh, true, BalloonKind.FENCE),
                Arguments.of(BalloonChoice.FENCE, false, fresh, false, BalloonKind.HOTPLUG),
                Arguments.of(BalloonChoice.AUTO, true, fresh, false, BalloonKind.FENCE),
                Arguments.of(BalloonChoice.AUTO, true, held.minusMillis(1), false, BalloonKind.FENCE),
                Arguments.of(BalloonChoice.AUTO, true, held, false, BalloonKind.HOTPLUG),
                Arguments.of(BalloonChoice.AUTO, true, fresh, true, BalloonKind.HOTPLUG),
                Arguments.of(BalloonChoice.AUTO, false, fresh, false, BalloonKind.HOTPLUG));
    }

    @ParameterizedTest(name = "{0}, agent offers fence {1}, wanted set held {2}, at entitlement {3} -> {4}")
    @MethodSource("modes")
    void theModeOfARound(BalloonChoice choice, boolean offered, Duration held, boolean atEntitlement,
                         BalloonKind expected) {
        assertEquals(expected, BalloonModes.choose(choice, offered, held, atEntitlement));
    }

    @Test
    void aFenceShrinkAsksForTheSetInFenceMode() {
        VmSteps s = ReconcileSteps.forVm(TWO_ON_FOUR.vm("a"), observed(guest("0-3", ""), BalloonKind.FENCE), CpuSet.empty());
        assertEquals(new Action.Balloon("a", CpuSet.of(0, 1), true, BalloonKind.FENCE), s.balloon());
        assertTrue(s.leased(), "a fence is leased like an offline CPU");
    }

    @Test
    void aFencedGuestAtItsWantedSetNeedsNoBalloonInFenceMode() {
        VmSteps s = ReconcileSteps.forVm(TWO_ON_FOUR.vm("a"), observed(guest("0-1", "2-3"), BalloonKind.FENCE), CpuSet.empty());
        assertNull(s.balloon());
    }

    @Test
    void hotplugModeTurnsAHeldFenceIntoOfflineCpusWithTheSameSet() {
        VmSteps s = ReconcileSteps.forVm(TWO_ON_FOUR.vm("a"), observed(guest("0-1", "2-3"), BalloonKind.HOTPLUG), CpuSet.empty());
        assertEquals(new Action.Balloon("a", CpuSet.of(0, 1), true, BalloonKind.HOTPLUG), s.balloon());
    }

    @Test
    void fencedVcpusSleepOnTheVmsOwnDedicatedPcpus() {
        VmPlan a = TWO_ON_FOUR.vm("a");
        VmSteps s = ReconcileSteps.forVm(a, observed(guest("0-1", "2-3"), BalloonKind.FENCE), CpuSet.empty());
        List<CpuSet> pins = s.pins().stream().map(x -> ((Action.PinVcpu) x).cpus()).toList();
        assertEquals(List.of(a.vcpuPins().get(0), a.vcpuPins().get(1), a.dedicatedCpus(), a.dedicatedCpus()), pins);
        assertTrue(a.dedicatedCpus().intersection(TWO_ON_FOUR.vm("b").cpus()).isEmpty(), "never on b's pCPUs");
    }

    @Test
    void aRefusedFenceIsNotRepeatedButAHotplugOfTheSameSetIsAsked() {
        GuestView g = guest("0-3", "");
        Observed.Refusal refused = new Observed.Refusal(CpuSet.of(0, 1), CpuSet.range(0, 3), BalloonKind.FENCE);
        assertNull(ReconcileSteps.forVm(TWO_ON_FOUR.vm("a"), new Observed(4, g, List.of(), null, false, refused,
                BalloonKind.FENCE), CpuSet.empty()).balloon());
        assertEquals(BalloonKind.HOTPLUG, ReconcileSteps.forVm(TWO_ON_FOUR.vm("a"), new Observed(4, g, List.of(), null,
                false, refused, BalloonKind.HOTPLUG), CpuSet.empty()).balloon().mode());
    }
}
