package io.vcpubal.host.plan;

import static io.vcpubal.host.plan.Mode.BALANCED;
import static io.vcpubal.host.plan.Mode.DEDICATED;
import static io.vcpubal.host.plan.Topologies.DUAL_SOCKET_16C_HT;
import static io.vcpubal.host.plan.Topologies.ODD_6CPU;
import static io.vcpubal.host.plan.Topologies.PAPER_12CORE;
import static io.vcpubal.host.plan.Topologies.THIS_HOST_2CPU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PlannerTest {

    /** What one VM should get: its share, mode and dedicated pCPUs (the balanced vCPU is on the pool). */
    record Want(String vm, double share, Mode mode, String dedicated) {
    }

    /**
     * One table row.
     *
     * @param reservedHost     cpulist reserved for the host
     * @param reservedEmulator cpulist reserved for emulator threads
     */
    record Case(String name, Topologies topo, String reservedHost, String reservedEmulator, List<VmSpec> vms,
                List<Want> want, String pool, String emulator) {

        ReservedCpus reserved() {
            return ReservedCpus.parse(reservedHost, reservedEmulator);
        }

        @Override
        public String toString() {
            return topo + ": " + name;
        }
    }

    static VmSpec vm(String name, long weight, int max) {
        return VmSpec.of(name, weight, max);
    }

    static Want want(String vm, double share, Mode mode, String dedicated) {
        return new Want(vm, share, mode, dedicated);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("equal weights: one vCPU each on its own host CPU", THIS_HOST_2CPU, "", "",
                        List.of(vm("a", 1, 2), vm("b", 1, 2)),
                        List.of(want("a", 1, DEDICATED, "0"), want("b", 1, DEDICATED, "1")), "", "0-1"),
                new Case("weights 3:1 -> 1.5 and 0.5, balanced on the second CPU", THIS_HOST_2CPU, "", "",
                        List.of(vm("a", 3, 2), vm("b", 1, 2)),
                        List.of(want("a", 1.5, BALANCED, "0"), want("b", 0.5, BALANCED, "")), "1", "1"),
                new Case("lone VM gets both CPUs", THIS_HOST_2CPU, "", "",
                        List.of(vm("a", 7, 2)),
                        List.of(want("a", 2, DEDICATED, "0-1")), "", "0-1"),
                new Case("lone 1-vCPU VM is capped, one CPU idle", THIS_HOST_2CPU, "", "",
                        List.of(vm("a", 7, 1)),
                        List.of(want("a", 1, DEDICATED, "0")), "1", "1"),
                new Case("CPU 0 reserved for the host: two halves on CPU 1", THIS_HOST_2CPU, "0", "",
                        List.of(vm("a", 1, 2), vm("b", 1, 2)),
                        List.of(want("a", 0.5, BALANCED, ""), want("b", 0.5, BALANCED, "")), "1", "0"),
                new Case("the paper: 512 and 256 -> 8 on 0-7 and 4 on 8-11", PAPER_12CORE, "", "",
                        List.of(vm("vm1", 512, 12), vm("vm2", 256, 12)),
                        List.of(want("vm1", 8, DEDICATED, "0-7"), want("vm2", 4, DEDICATED, "8-11")), "", "0-11"),
                new Case("capped at max 6, surplus to the other", PAPER_12CORE, "", "",
                        List.of(vm("vm1", 512, 6), vm("vm2", 256, 12)),
                        List.of(want("vm1", 6, DEDICATED, "0-5"), want("vm2", 6, DEDICATED, "6-11")), "", "0-11"),
                new Case("water-filling twice: two capped, the rest by weight", PAPER_12CORE, "", "",
                        List.of(vm("a", 100, 2), vm("b", 100, 3), vm("c", 1, 12), vm("d", 3, 12)),
                        List.of(want("a", 2, DEDICATED, "8-9"), want("b", 3, DEDICATED, "5-7"),
                                want("c", 1.75, BALANCED, "10"), want("d", 5.25, BALANCED, "0-4")), "11", "11"),
                new Case("min vCPUs raise a small weight", PAPER_12CORE, "", "",
                        List.of(vm("a", 100, 12), new VmSpec("b", 1, 12, 4)),
                        List.of(want("a", 8, DEDICATED, "0-7"), want("b", 4, DEDICATED, "8-11")), "", "0-11"),
                new Case("five equal VMs: 2.4 each, 2-CPU pool", PAPER_12CORE, "", "",
                        List.of(vm("a", 1, 4), vm("b", 1, 4), vm("c", 1, 4), vm("d", 1, 4), vm("e", 1, 4)),
                        List.of(want("a", 2.4, BALANCED, "0-1"), want("b", 2.4, BALANCED, "2-3"),
                                want("c", 2.4, BALANCED, "4-5"), want("d", 2.4, BALANCED, "6-7"),
                                want("e", 2.4, BALANCED, "8-9")), "10-11", "10-11"),
                new Case("reserved host 0 and emulator 1", PAPER_12CORE, "0", "1",
                        List.of(vm("a", 1, 12), vm("b", 1, 12)),
                        List.of(want("a", 5, DEDICATED, "2-6"), want("b", 5, DEDICATED, "7-11")), "", "1"),
                new Case("two halves: one socket each", DUAL_SOCKET_16C_HT, "", "",
                        List.of(vm("a", 1, 64), vm("b", 1, 64)),
                        List.of(want("a", 32, DEDICATED, "0-15,32-47"), want("b", 32, DEDICATED, "16-31,48-63")),
                        "", "0-63"),
                new Case("largest first takes a socket, the others share the second by whole cores",
                        DUAL_SOCKET_16C_HT, "", "",
                        List.of(vm("a", 1, 64), vm("b", 1, 64), vm("c", 2, 64)),
                        List.of(want("a", 16, DEDICATED, "16-23,48-55"), want("b", 16, DEDICATED, "24-31,56-63"),
                                want("c", 32, DEDICATED, "0-15,32-47")), "", "0-63"),
                new Case("3 vCPUs: a whole core, then a thread of a partly used core", DUAL_SOCKET_16C_HT, "", "",
                        List.of(vm("a", 1, 3), vm("b", 1, 3), vm("c", 1, 3), vm("d", 1, 3)),
                        List.of(want("a", 3, DEDICATED, "0-1,32"), want("b", 3, DEDICATED, "2,33-34"),
                                want("c", 3, DEDICATED, "3-4,35"), want("d", 3, DEDICATED, "5,36-37")),
                        "6-31,38-63", "6-31,38-63"),
                new Case("a single thread goes to a core already split (host has CPU 40), whole cores stay whole",
                        DUAL_SOCKET_16C_HT, "40", "",
                        List.of(vm("a", 1, 1)),
                        List.of(want("a", 1, DEDICATED, "8")), "0-7,9-39,41-63", "40"),
                new Case("3 of 6: whole core plus one thread in socket 0; the other spills over", ODD_6CPU, "", "",
                        List.of(vm("a", 1, 6), vm("b", 1, 6)),
                        List.of(want("a", 3, DEDICATED, "0-2"), want("b", 3, DEDICATED, "3-5")), "", "0-5"),
                new Case("CPU 0 reserved: the 3 go where they fit, the 2 take socket 1", ODD_6CPU, "0", "",
                        List.of(vm("a", 2, 6), vm("b", 3, 6)),
                        List.of(want("a", 2, DEDICATED, "4-5"), want("b", 3, DEDICATED, "1-3")), "", "0"),
                new Case("four VMs of 1.5: single threads, 2-CPU pool", ODD_6CPU, "", "",
                        List.of(vm("a", 1, 6), vm("b", 1, 6), vm("c", 1, 6), vm("d", 1, 6)),
                        List.of(want("a", 1.5, BALANCED, "4"), want("b", 1.5, BALANCED, "5"),
                                want("c", 1.5, BALANCED, "0"), want("d", 1.5, BALANCED, "1")), "2-3", "2-3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(Case c) {
        HostTopology topology = c.topo().topology;
        Plan plan = Planner.plan(topology, c.reserved(), c.vms());

        PlanInvariants.check(topology, c.reserved(), c.vms(), plan);
        for (Want want : c.want()) {
            VmPlan vm = plan.vm(want.vm());
            assertEquals(want.share(), vm.share(), 1e-12, want.vm() + " share");
            assertEquals(want.mode(), vm.mode(), want.vm() + " mode");
            assertEquals(want.dedicated(), vm.dedicatedCpus().toString(), want.vm() + " dedicated pCPUs");
        }
        assertEquals(c.pool(), plan.sharedPool().toString(), "shared pool");
        assertEquals(c.emulator(), plan.emulatorCpus().toString(), "emulator CPUs");
        PlanInvariants.checkIdempotent(topology, c.reserved(), c.vms(), plan);
    }

    /** Every case again after each VM's weight doubles: the new plan is valid and no dedicated vCPU moves. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneWeightChangeMovesNoDedicatedPin(Case c) {
        HostTopology topology = c.topo().topology;
        Plan before = Planner.plan(topology, c.reserved(), c.vms());
        for (int i = 0; i < c.vms().size(); i++) {
            List<VmSpec> changed = new ArrayList<>(c.vms());
            VmSpec old = changed.get(i);
            changed.set(i, new VmSpec(old.name(), old.weight() * 2, old.maxVcpus(), old.minVcpus()));
            Plan after = Planner.plan(topology, c.reserved(), changed, before.assignment());
            PlanInvariants.check(topology, c.reserved(), changed, after);
            assertEquals(0, PlanInvariants.movedDedicatedPins(before, after), "dedicated pins moved after " + old.name());
            PlanInvariants.checkIdempotent(topology, c.reserved(), changed, after);
        }
    }

    @Test
    void paperWeightChangeKeepsPinsAndGrowsNextToThem() {
        HostTopology t = PAPER_12CORE.topology;
        Plan before = Planner.plan(t, ReservedCpus.none(), List.of(vm("vm1", 512, 12), vm("vm2", 256, 12)));
        Plan after = Planner.plan(t, ReservedCpus.none(), List.of(vm("vm1", 256, 12), vm("vm2", 256, 12)),
                before.assignment());
        // vm1 offlines vCPUs 6-7 and keeps 0-5 where they were; vm2 keeps 8-11 and onlines two on 6-7.
        assertEquals(pins("0", "1", "2", "3", "4", "5"), after.vm("vm1").vcpuPins());
        assertEquals(pins("8", "9", "10", "11", "6", "7"), after.vm("vm2").vcpuPins());
    }

    @Test
    void growsOntoTheFreeSiblingOfItsOwnCoreBeforeOtherSplitCores() {
        HostTopology t = DUAL_SOCKET_16C_HT.topology;
        List<VmSpec> vms = List.of(vm("a", 1, 2), vm("b", 1, 1));
        // b holds CPU 1 (core 1,33), a holds CPU 5 (core 5,37): a's second vCPU belongs on 37, not 33.
        Plan plan = Planner.plan(t, ReservedCpus.none(), vms, new Assignment(Map.of("a", pins("5"), "b", pins("1"))));
        assertEquals(pins("5", "37"), plan.vm("a").vcpuPins());
        assertEquals(pins("1"), plan.vm("b").vcpuPins());
    }

    @Test
    void threeToOneOnThisHostPinsPerVcpu() {
        Plan plan = Planner.plan(THIS_HOST_2CPU.topology, ReservedCpus.none(), List.of(vm("a", 3, 2), vm("b", 1, 2)));
        assertEquals(pins("0", "1"), plan.vm("a").vcpuPins());
        assertEquals(pins("1"), plan.vm("b").vcpuPins());
        assertEquals(0.5, plan.vm("a").balancedShare());
        assertEquals(0.5, plan.vm("b").balancedShare());
        assertEquals(CpuSet.parse("0-1"), plan.vm("a").cpus());
        // Back to 1:1: a keeps CPU 0, b's balanced vCPU becomes dedicated where it already ran.
        Plan back = Planner.plan(THIS_HOST_2CPU.topology, ReservedCpus.none(), List.of(vm("a", 1, 2), vm("b", 1, 2)),
                plan.assignment());
        assertEquals(pins("0"), back.vm("a").vcpuPins());
        assertEquals(pins("1"), back.vm("b").vcpuPins());
    }

    @Test
    void currentPinsOnManyCpusOrReservedOrUnknownAreIgnored() {
        HostTopology t = PAPER_12CORE.topology;
        List<VmSpec> vms = List.of(vm("vm1", 512, 12), vm("vm2", 256, 12));
        Assignment unpinned = new Assignment(Map.of(
                "vm1", pins("0-11", "0-11", "0-11"),
                "vm2", pins("0-11"),
                "gone", pins("3")));
        assertEquals(Planner.plan(t, ReservedCpus.none(), vms),
                Planner.plan(t, ReservedCpus.none(), vms, unpinned));
        // Pins on CPUs now reserved are dropped; the rest are kept.
        Assignment old = new Assignment(Map.of("vm1", pins("0", "5"), "vm2", pins("11")));
        Plan plan = Planner.plan(t, ReservedCpus.parse("0", ""), vms, old);
        assertEquals(CpuSet.of(5), plan.vm("vm1").vcpuPins().get(1));
        assertEquals(CpuSet.of(11), plan.vm("vm2").vcpuPins().get(0));
        PlanInvariants.check(t, ReservedCpus.parse("0", ""), vms, plan);
    }

    @Test
    void contestedPinsGoToTheFirstVmAndUncontestedOnesWin() {
        HostTopology t = PAPER_12CORE.topology;
        List<VmSpec> vms = List.of(vm("a", 1, 12), vm("b", 1, 12));
        // Both claim CPU 3 for vCPU0; b alone claims CPU 7 for vCPU1, and a claims 7 nowhere.
        Assignment odd = new Assignment(Map.of("a", pins("3"), "b", pins("3", "7")));
        Plan plan = Planner.plan(t, ReservedCpus.none(), vms, odd);
        PlanInvariants.check(t, ReservedCpus.none(), vms, plan);
        assertEquals(CpuSet.of(3), plan.vm("a").vcpuPins().get(0));
        assertEquals(CpuSet.of(7), plan.vm("b").vcpuPins().get(1));
        assertEquals(false, plan.vm("b").vcpuPins().get(0).equals(CpuSet.of(3)));
    }

    @Test
    void deterministic() {
        List<VmSpec> vms = List.of(vm("a", 5, 20), vm("b", 3, 7), vm("c", 2, 64));
        HostTopology t = DUAL_SOCKET_16C_HT.topology;
        assertEquals(Planner.plan(t, ReservedCpus.none(), vms), Planner.plan(t, ReservedCpus.none(), vms));
    }

    @Test
    void errors() {
        HostTopology t = THIS_HOST_2CPU.topology;
        assertEquals("no VMs to plan", assertThrows(IllegalArgumentException.class,
                () -> Planner.plan(t, ReservedCpus.none(), List.of())).getMessage());
        assertEquals("VM a: weight must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> vm("a", 0, 2)).getMessage());
        assertEquals("VM a: weight must be > 0, got -3",
                assertThrows(IllegalArgumentException.class, () -> vm("a", -3, 2)).getMessage());
        assertEquals("VM a: max vCPUs must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> vm("a", 1, 0)).getMessage());
        assertEquals("VM a: min vCPUs must be between 0 and max vCPUs (2), got 3",
                assertThrows(IllegalArgumentException.class, () -> new VmSpec("a", 1, 2, 3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> vm(" ", 1, 2));
        assertEquals("no pCPU left for vCPUs: all 2 online CPUs (0-1) are reserved (host: 0, emulator: 1)",
                assertThrows(IllegalArgumentException.class,
                        () -> Planner.plan(t, ReservedCpus.parse("0", "1"), List.of(vm("a", 1, 2)))).getMessage());
        assertEquals("reserved emulator CPUs 2: CPU(s) 2 are not online CPUs of this host (0-1)",
                assertThrows(IllegalArgumentException.class,
                        () -> Planner.plan(t, ReservedCpus.parse("", "2"), List.of(vm("a", 1, 2)))).getMessage());
        assertEquals("two VMs are named a", assertThrows(IllegalArgumentException.class,
                () -> Planner.plan(t, ReservedCpus.none(), List.of(vm("a", 1, 2), vm("a", 2, 2)))).getMessage());
        assertEquals("the VMs' min vCPUs add up to 3, more than the 2 assignable pCPUs",
                assertThrows(IllegalArgumentException.class, () -> Planner.plan(t, ReservedCpus.none(),
                        List.of(new VmSpec("a", 1, 2, 2), new VmSpec("b", 1, 2, 1)))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(t, ReservedCpus.none(),
                List.of(vm("a", 1, 2))).vm("nobody"));
    }

    static List<CpuSet> pins(String... cpulists) {
        return Stream.of(cpulists).map(CpuSet::parse).collect(Collectors.toList());
    }
}
