package io.vcpubal.guest.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuState;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The pure planner, table-driven over named CPU layouts; no files involved. */
class BalloonPlannerTest {

    /** A 4-vCPU x86 guest, all online; cpu0 has no online file. */
    static final List<CpuState> FOUR_ALL_ONLINE = layout("0-3", "0-3", "0");
    /** The same guest shrunk to 2. */
    static final List<CpuState> FOUR_TWO_ONLINE = layout("0-3", "0-1", "0");
    /** 8 vCPUs, 0-1 and 4 online (holes left by an earlier set command). */
    static final List<CpuState> EIGHT_WITH_HOLES = layout("0-7", "0-1,4", "0");
    /** A guest whose cpu0 has an online file (CONFIG_BOOTPARAM_HOTPLUG_CPU0); we still never offline it. */
    static final List<CpuState> FOUR_CPU0_HOTPLUGGABLE = layout("0-3", "0-3", "");
    /** cpu0 and cpu1 cannot be offlined. */
    static final List<CpuState> FOUR_TWO_PINNED = layout("0-3", "0-3", "0-1");

    static final BalloonPolicy DEFAULT = BalloonPolicy.DEFAULT;
    static final BalloonPolicy FLOOR_2 = new BalloonPolicy(2, CpuSet.empty());
    static final BalloonPolicy PROTECT_3 = new BalloonPolicy(1, CpuSet.of(3));
    static final BalloonPolicy PROTECT_2 = new BalloonPolicy(1, CpuSet.of(2));

    static List<CpuState> layout(String cpus, String online, String withoutOnlineFile) {
        CpuSet up = CpuSet.parse(online);
        CpuSet fixed = CpuSet.parse(withoutOnlineFile);
        List<CpuState> states = new ArrayList<>();
        for (int cpu : CpuSet.parse(cpus).toArray()) {
            states.add(new CpuState(cpu, up.contains(cpu), !fixed.contains(cpu)));
        }
        return states;
    }

    record Planned(String name, List<CpuState> cpus, BalloonPolicy policy, BalloonRequest request,
                   String toOnline, String toOffline, String restorable) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Planned> plans() {
        return Stream.of(
                new Planned("count shrink takes the highest first", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(2, 1000), "", "2-3", "2-3"),
                new Planned("count shrink to 1", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(1, 1000), "", "1-3", "1-3"),
                new Planned("count grow takes the lowest offline first", EIGHT_WITH_HOLES, DEFAULT,
                        BalloonRequest.count(5, 1000), "2-3", "", "5-7"),
                new Planned("count shrink with holes takes the highest online", EIGHT_WITH_HOLES, DEFAULT,
                        BalloonRequest.count(2, 1000), "", "4", "2-7"),
                new Planned("count grow to all needs no lease", FOUR_TWO_ONLINE, DEFAULT,
                        BalloonRequest.count(4, 0), "2-3", "", ""),
                new Planned("count grow to all ignores a lease below the minimum", FOUR_TWO_ONLINE, DEFAULT,
                        BalloonRequest.count(4, 10), "2-3", "", ""),
                new Planned("count unchanged", FOUR_TWO_ONLINE, DEFAULT,
                        BalloonRequest.count(2, 1000), "", "", "2-3"),
                new Planned("count shrink skips a protected CPU", FOUR_ALL_ONLINE, PROTECT_3,
                        BalloonRequest.count(2, 1000), "", "1-2", "1-2"),
                new Planned("count grow skips a protected CPU", FOUR_TWO_ONLINE, PROTECT_2,
                        BalloonRequest.count(3, 1000), "3", "", ""),
                new Planned("count skips CPUs without online file", FOUR_TWO_PINNED, DEFAULT,
                        BalloonRequest.count(2, 1000), "", "2-3", "2-3"),
                new Planned("cpu0 with an online file is kept", FOUR_CPU0_HOTPLUGGABLE, DEFAULT,
                        BalloonRequest.count(1, 1000), "", "1-3", "1-3"),
                new Planned("set shrink", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0,2"), 1000), "", "1,3", "1,3"),
                new Planned("set grows and shrinks at once", FOUR_TWO_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0,2-3"), 1000), "2-3", "1", "1"),
                new Planned("set unchanged", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0-3"), 0), "", "", ""),
                new Planned("set keeping a protected CPU online", FOUR_ALL_ONLINE, PROTECT_3,
                        BalloonRequest.cpus(CpuSet.parse("0,3"), 1000), "", "1-2", "1-2"),
                new Planned("set keeping a protected CPU offline", FOUR_TWO_ONLINE, PROTECT_2,
                        BalloonRequest.cpus(CpuSet.parse("0-1,3"), 0), "3", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plans")
    void plans(Planned c) throws BalloonRefusal {
        BalloonPlan plan = BalloonPlanner.plan(c.cpus(), c.policy(), c.request());
        assertEquals(c.toOnline(), plan.toOnline().toString(), "toOnline");
        assertEquals(c.toOffline(), plan.toOffline().toString(), "toOffline");
        assertEquals(c.restorable(), plan.restorable().toString(), "restorable");
        assertEquals(plan.before().union(plan.toOnline()).minus(plan.toOffline()), plan.target());
    }

    record Refused(String name, List<CpuState> cpus, BalloonPolicy policy, BalloonRequest request, String why) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refused> refusals() {
        return Stream.of(
                new Refused("count 0 is below the default floor", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(0, 1000), "target count 0 is below the floor of 1"),
                new Refused("negative count", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(-3, 1000), "target count -3 is below the floor of 1"),
                new Refused("count below a configured floor", FOUR_ALL_ONLINE, FLOOR_2,
                        BalloonRequest.count(1, 1000), "below the floor of 2"),
                new Refused("count above the CPUs present", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(5, 1000), "target count 5 exceeds the 4 CPU(s) the guest has (0-3)"),
                new Refused("count needing pinned CPUs", FOUR_TWO_PINNED, DEFAULT,
                        BalloonRequest.count(1, 1000),
                        "cannot go down to 1 online CPU(s): cpu0 is never offlined, cpu1 cannot be offlined (it has no "
                                + "online file); the fewest reachable is 2"),
                new Refused("count needing a protected CPU to shrink", FOUR_ALL_ONLINE, PROTECT_3,
                        BalloonRequest.count(1, 1000), "cpu3 is protected by the guest's configuration; the fewest reachable is 2"),
                new Refused("count needing a protected CPU to grow", FOUR_TWO_ONLINE, PROTECT_2,
                        BalloonRequest.count(4, 1000), "cpu2 is protected by the guest's configuration; the most reachable is 3"),
                new Refused("set without cpu0", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("1-3"), 1000), "cpu0 is never offlined"),
                new Refused("set without a hotpluggable cpu0", FOUR_CPU0_HOTPLUGGABLE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("1-3"), 1000), "cpu0 is never offlined"),
                new Refused("set without a CPU lacking its online file", FOUR_TWO_PINNED, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0"), 1000), "cpu1 cannot be offlined (it has no online file)"),
                new Refused("set offlining a protected CPU", FOUR_ALL_ONLINE, PROTECT_3,
                        BalloonRequest.cpus(CpuSet.parse("0-2"), 1000), "cpu3 is protected"),
                new Refused("set onlining a protected CPU", FOUR_TWO_ONLINE, PROTECT_2,
                        BalloonRequest.cpus(CpuSet.parse("0-2"), 1000), "cpu2 is protected"),
                new Refused("set with unknown CPUs", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0-5"), 1000), "cpus 4-5 are not present in the guest (it has 0-3)"),
                new Refused("empty set", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.empty(), 1000), "0 CPU(s) requested"),
                new Refused("set below the floor", FOUR_ALL_ONLINE, FLOOR_2,
                        BalloonRequest.cpus(CpuSet.parse("0"), 1000), "1 CPU(s) requested (\"0\"), below the floor of 2"),
                new Refused("shrink without lease", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(2, 0), "leaving cpus 2-3 offline needs a lease"),
                new Refused("partial grow without lease", EIGHT_WITH_HOLES, DEFAULT,
                        BalloonRequest.count(7, 0), "leaving cpu7 offline needs a lease of at least 1000 ms"),
                new Refused("shrink with a lease below the protocol's minimum", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(2, 999), "leaving cpus 2-3 offline needs a lease of at least 1000 ms, got 999 ms"),
                new Refused("set shrink with a 1 ms lease", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.cpus(CpuSet.parse("0-2"), 1), "leaving cpu3 offline needs a lease of at least 1000 ms, got 1 ms"),
                new Refused("negative lease", FOUR_ALL_ONLINE, DEFAULT,
                        BalloonRequest.count(2, -1), "lease of -1 ms is outside 0-3600000 ms"),
                new Refused("lease above the maximum", FOUR_ALL_ONLINE, new BalloonPolicy(1, CpuSet.empty(), 60_000),
                        BalloonRequest.count(2, 60_001), "lease of 60001 ms is outside 0-60000 ms"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(Refused c) {
        BalloonRefusal refusal = assertThrows(BalloonRefusal.class,
                () -> BalloonPlanner.plan(c.cpus(), c.policy(), c.request()));
        assertTrue(refusal.getMessage().contains(c.why()), () -> "message was: " + refusal.getMessage());
    }

    @Test
    void restoreAllOnlinesEverythingButProtectedCpus() {
        BalloonPlan plan = BalloonPlanner.restoreAll(layout("0-7", "0", "0"), new BalloonPolicy(1, CpuSet.of(5)));
        assertEquals("1-4,6-7", plan.toOnline().toString());
        assertEquals("", plan.toOffline().toString());
        assertEquals("", plan.restorable().toString());
    }

    @Test
    void policyValidatesItsLimits() {
        assertThrows(IllegalArgumentException.class, () -> new BalloonPolicy(0, CpuSet.empty()));
        assertThrows(IllegalArgumentException.class, () -> new BalloonPolicy(1, CpuSet.empty(), 0));
        assertThrows(IllegalArgumentException.class, () -> new BalloonPolicy(1, CpuSet.empty(), 999),
                "a maximum below the protocol's minimum would refuse every shrink");
    }
}
