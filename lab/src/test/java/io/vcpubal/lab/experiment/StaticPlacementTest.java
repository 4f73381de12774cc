package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.protocol.CpuSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticPlacementTest {
    @Test
    void idealWithEqualWeightsGivesEachGuestOneVcpuOnItsOwnCpu() {
        StaticPlacement p = StaticPlacement.ideal(List.of(1, 1), 2, CpuSet.range(0, 1));
        assertEquals(List.of(1, 1), p.online());
        assertEquals(List.of(List.of(CpuSet.of(0)), List.of(CpuSet.of(1))), p.pins());
    }

    @Test
    void idealWithFractionalSharesPutsOneVcpuPerGuestInThePool() {
        // shares 1, 0.5, 0.5 of 2 CPUs: vm1 owns CPU 0, vm2 and vm3 share CPU 1
        StaticPlacement p = StaticPlacement.ideal(List.of(2, 1, 1), 2, CpuSet.range(0, 1));
        assertEquals(List.of(1, 1, 1), p.online());
        assertEquals(List.of(List.of(CpuSet.of(0)), List.of(CpuSet.of(1)), List.of(CpuSet.of(1))), p.pins());
        // shares 1.5 and 0.5: vm1 owns CPU 0 and has a balanced vCPU on the pool {1}
        StaticPlacement q = StaticPlacement.ideal(List.of(3, 1), 2, CpuSet.range(0, 1));
        assertEquals(List.of(2, 1), q.online());
        assertEquals(List.of(List.of(CpuSet.of(0), CpuSet.of(1)), List.of(CpuSet.of(1))), q.pins());
    }

    @Test
    void affinityKeepsEveryVcpuOnlineOnDifferentCpus() {
        StaticPlacement p = StaticPlacement.affinity(2, 2, CpuSet.range(0, 1));
        assertEquals(List.of(2, 2), p.online());
        assertEquals(List.of(CpuSet.of(0), CpuSet.of(1)), p.pins().get(1));
        assertEquals(List.of("vm1: online 0-1, vCPU0->0 vCPU1->1", "vm2: online 0-1, vCPU0->0 vCPU1->1"),
                p.describe(List.of("vm1", "vm2")));
    }
}
