package io.vcpubal.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The class planner on named scenarios: two 2-vCPU VMs of weight 256 on a 2-pCPU host unless said otherwise. */
class ClassPlannerTest {
    private static final ClassConfig BATCH = new ClassConfig("batch", "a", "batch", "", "", "", Importance.LOW, 256);
    private static final ClassConfig WEB = new ClassConfig("web", "b", "web", "", "", "", Importance.HIGH, 768);
    private static final ClassConfig SHARE1 = new ClassConfig("one", "a", "one", "", "", "", Importance.NORMAL, 100);
    private static final ClassConfig SHARE3 = new ClassConfig("three", "b", "three", "", "", "", Importance.NORMAL, 300);

    private static VmLoad vm(String name, List<ClassConfig> classes, double rest, Map<String, Double> use) {
        return new VmLoad(name, 256, 2, classes, rest, use, Double.NaN);
    }

    /** A named case: loads, and the expected a/b planning weights and batch quota (µs per 100 ms, 0 = none). */
    record Case(String name, List<VmLoad> vms, long weightA, long weightB, int batchQuotaUs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> idleTime() {
        return Stream.of(
                new Case("everything idle: weights as configured, batch unlimited",
                        List.of(vm("a", List.of(BATCH), 0, Map.of()), vm("b", List.of(WEB), 0, Map.of())), 256, 256, 0),
                new Case("batch alone busy: it rides all free CPU, its VM has weight 1",
                        List.of(vm("a", List.of(BATCH), 0.05, Map.of("batch", 2.0)), vm("b", List.of(WEB), 0.1, Map.of())),
                        1, 256, 0),
                new Case("web busy on both CPUs: batch down to the kernel's smallest quota",
                        List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 1.0)), vm("b", List.of(WEB), 0, Map.of("web", 2.0))),
                        1, 768, 1_000),
                new Case("web busy on one CPU: batch gets the other",
                        List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 1.0)), vm("b", List.of(WEB), 0, Map.of("web", 1.0))),
                        1, 768, 100_000),
                new Case("unmatched work in b counts as normal demand",
                        List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), vm("b", List.of(WEB), 1.5, Map.of())),
                        1, 256, 50_000),
                new Case("agent-sized noise below the activity threshold is not demand",
                        List.of(vm("a", List.of(BATCH), 0.1, Map.of("batch", 2.0)), vm("b", List.of(WEB), 0.15, Map.of("web", 0.1))),
                        1, 256, 0),
                new Case("background below half a CPU in b does not hold a's batch back",
                        List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), vm("b", List.of(WEB), 0.45, Map.of())),
                        1, 256, 0));
    }

    @ParameterizedTest
    @MethodSource("idleTime")
    void idleTimeGivesLowClassesOnlyFreeCpu(Case c) {
        ClassPlan p = ClassPlanner.plan(c.vms(), 2);
        assertEquals(c.weightA(), p.vm("a").planningWeight(), "a's weight");
        assertEquals(c.weightB(), p.vm("b").planningWeight(), "b's weight");
        ClassSetting batch = p.vm("a").setting("batch");
        assertEquals(c.batchQuotaUs(), batch.quotaUs(), "batch quota");
        assertTrue(batch.idle(), "a low class is cpu.idle in its guest");
        assertEquals(0, batch.cpuWeight(), "no weight on an idle group");
    }

    @Test
    void aHighClassMakesItsVmWantAll() {
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)),
                vm("b", List.of(WEB), 0, Map.of("web", 0.5))), 2);
        assertTrue(p.vm("b").wantsAll());
        assertFalse(p.vm("a").wantsAll());
        assertEquals(150_000, p.vm("a").setting("batch").quotaUs(), "1.5 CPUs are free");
    }

    @Test
    void aContendedHighJobCountsItsThreadsWholeSoNothingIsLeftForTheLowClass() {
        // b's two threads got 1.85 CPUs because the batch's quota took the rest; the host saw them want 2
        VmLoad contended = new VmLoad("b", 256, 2, List.of(WEB), 0, Map.of("web", 1.85), 2.0);
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), contended), 2);
        assertEquals(0.0, p.freeCpus(), 1e-9);
        assertEquals(1_000, p.vm("a").setting("batch").quotaUs(), "the kernel's smallest quota, not 15 %");
        // one thread at 0.9 (the host saw 1.0 wanted) leaves the other CPU
        VmLoad single = new VmLoad("b", 256, 2, List.of(WEB), 0, Map.of("web", 0.9), 1.0);
        ClassPlan q = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), single), 2);
        assertEquals(1.0, q.freeCpus(), 1e-9);
        // a thread at half a CPU that the host saw want no more keeps the rest free
        VmLoad half = new VmLoad("b", 256, 2, List.of(WEB), 0, Map.of("web", 0.5), 0.5);
        assertEquals(1.5, ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), half), 2)
                .freeCpus(), 1e-9);
    }

    @Test
    void proportionalShareAcrossVmsIsTheClassesShares() {
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(SHARE1), 0, Map.of("one", 2.0)),
                vm("b", List.of(SHARE3), 0, Map.of("three", 2.0))), 2);
        assertEquals(100, p.vm("a").planningWeight());
        assertEquals(300, p.vm("b").planningWeight());
        // inside the guest: 100 × shares / VM weight against the unmatched processes' 100
        assertEquals(39, p.vm("a").setting("one").cpuWeight());
        assertEquals(117, p.vm("b").setting("three").cpuWeight());
        assertEquals(0, p.vm("a").setting("one").quotaUs());
    }

    @Test
    void unmatchedWorkAddsTheVmsOwnWeight() {
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(SHARE1), 1.0, Map.of("one", 1.0)),
                vm("b", List.of(SHARE3), 0, Map.of("three", 2.0))), 2);
        assertEquals(356, p.vm("a").planningWeight());
    }

    @Test
    void twoLowClassesSplitFreeCpuByShares() {
        ClassConfig low1 = new ClassConfig("l1", "*", "l1", "", "", "", Importance.LOW, 100);
        ClassConfig low3 = new ClassConfig("l3", "*", "l3", "", "", "", Importance.LOW, 300);
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(low1), 0, Map.of("l1", 1.0)),
                vm("b", List.of(low3), 1.0, Map.of("l3", 1.0))), 2);
        assertEquals(1.0, p.freeCpus(), 1e-9);
        assertEquals(25_000, p.vm("a").setting("l1").quotaUs());
        assertEquals(75_000, p.vm("b").setting("l3").quotaUs());
    }

    @Test
    void anIdleLowClassMayUseAllFreeCpuToShowItsDemand() {
        ClassConfig low1 = new ClassConfig("l1", "*", "l1", "", "", "", Importance.LOW, 100);
        ClassConfig low3 = new ClassConfig("l3", "*", "l3", "", "", "", Importance.LOW, 300);
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(low1), 0, Map.of()),
                vm("b", List.of(low3), 1.0, Map.of("l3", 1.0))), 2);
        assertEquals(100_000, p.vm("a").setting("l1").quotaUs());
        assertEquals(100_000, p.vm("b").setting("l3").quotaUs());
    }

    @Test
    void aGuestCannotClaimMoreDemandThanTheHostSawItWant() {
        // b claims its web class keeps both CPUs busy, but its vCPU threads ran or waited 0.3 CPUs
        VmLoad liar = new VmLoad("b", 256, 2, List.of(WEB), 0, Map.of("web", 2.0), 0.3);
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), liar), 2);
        assertEquals(170_000, p.vm("a").setting("batch").quotaUs(), "only the 0.3 the host saw counts");
        // and claims above its vCPUs are clamped to them
        VmLoad greedy = new VmLoad("b", 256, 2, List.of(WEB), 50, Map.of("web", 1e9), Double.NaN);
        ClassPlan q = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), greedy), 3);
        assertEquals(100_000, q.vm("a").setting("batch").quotaUs(), "b counts 2 CPUs at most of 3");
    }

    @Test
    void aLowClassHeldToItsQuotaStaysBusy() {
        // web takes both CPUs; batch, held to 1 %, uses next to nothing but was throttled
        VmLoad held = new VmLoad("a", 256, 2, List.of(BATCH), 0, Map.of("batch", 0.01), Double.NaN, 1.0, java.util.Set.of("batch"));
        ClassPlan p = ClassPlanner.plan(List.of(held, vm("b", List.of(WEB), 0, Map.of("web", 2.0))), 2);
        assertEquals(1, p.vm("a").planningWeight(), "still busy with low work only: weight 1, not its own 256");
        assertTrue(p.vm("a").lowOnly(), "its pool vCPUs go to the host's idle priority");
        assertFalse(p.vm("b").lowOnly());
        assertTrue(p.vm("a").setting("batch").active());
        VmLoad quiet = new VmLoad("a", 256, 2, List.of(BATCH), 0, Map.of("batch", 0.01), Double.NaN, 1.0);
        assertEquals(256, ClassPlanner.plan(List.of(quiet, vm("b", List.of(WEB), 0, Map.of("web", 2.0))), 2)
                .vm("a").planningWeight(), "not throttled and quiet: idle");
        // a guest claiming its high class was throttled gains nothing: only low classes count it
        VmLoad claim = new VmLoad("b", 256, 2, List.of(WEB), 0, Map.of("web", 0.01), Double.NaN, 1.0, java.util.Set.of("web"));
        assertFalse(ClassPlanner.plan(List.of(quiet, claim), 2).vm("b").wantsAll());
    }

    @Test
    void activityIsJudgedOnHostTrueCpu() {
        // a's unmatched processes seem to use 0.8 CPU, but its vCPUs ran only half the time the guest counted
        VmLoad inflated = new VmLoad("a", 100, 2, List.of(SHARE1), 0.8, Map.of("one", 1.2), Double.NaN, 0.5);
        VmLoad b = vm("b", List.of(SHARE3), 0, Map.of("three", 2.0));
        ClassPlan p = ClassPlanner.plan(List.of(inflated, b), 2);
        assertEquals(100, p.vm("a").planningWeight(), "the rest is 0.4 host-true CPUs: background");
        VmLoad real = new VmLoad("a", 100, 2, List.of(SHARE1), 0.8, Map.of("one", 1.2), Double.NaN, 1.0);
        assertEquals(200, ClassPlanner.plan(List.of(real, b), 2).vm("a").planningWeight(), "all of it ran: active");
        VmLoad odd = new VmLoad("a", 100, 2, List.of(SHARE1), 0.8, Map.of("one", 1.2), Double.NaN, 7.0);
        assertEquals(200, ClassPlanner.plan(List.of(odd, b), 2).vm("a").planningWeight(), "a factor above 1 reads as 1");
    }

    @Test
    void nonsenseFiguresCountAsIdle() {
        VmLoad odd = new VmLoad("b", 256, 2, List.of(WEB), Double.NaN, Map.of("web", -3.0), Double.NaN);
        ClassPlan p = ClassPlanner.plan(List.of(vm("a", List.of(BATCH), 0, Map.of("batch", 2.0)), odd), 2);
        assertEquals(0, p.vm("a").setting("batch").quotaUs());
        assertEquals(256, p.vm("b").planningWeight());
    }

    @Test
    void quotasMoveInStepsOfFivePercentAndNeverBelowTheKernelsSmallest() {
        assertEquals(50_000, ClassPlanner.quotaUs(0.51, 2));
        assertEquals(55_000, ClassPlanner.quotaUs(0.53, 2));
        assertEquals(1_000, ClassPlanner.quotaUs(0.01, 2));
        assertEquals(0, ClassPlanner.quotaUs(2.0, 2));
    }

    @Test
    void cpuWeightsStayWithinTheKernelsBounds() {
        assertEquals(1, ClassPlanner.cpuWeight(1, 65_535));
        assertEquals(10_000, ClassPlanner.cpuWeight(65_535, 1));
        assertEquals(100, ClassPlanner.cpuWeight(256, 256));
    }

    @Test
    void aHostWithoutCpusIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClassPlanner.plan(List.of(), 0));
    }
}
