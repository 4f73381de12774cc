package io.vcpubal.host.demand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.CpuPressure;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import org.junit.jupiter.api.Test;

class LoadSamplesTest {

    private static CpuTicks cpu(int n, long user, long system, long idle, long steal) {
        return CpuTicks.newBuilder().setCpu(n).setUserTicks(user).setSystemTicks(system).setIdleTicks(idle)
                .setStealTicks(steal).build();
    }

    private static GuestFacts.Builder facts(long monotonicMs, String online, CpuTicks... ticks) {
        GuestFacts.Builder b = GuestFacts.newBuilder().setMonotonicNs(monotonicMs * 1_000_000).setPeriodMs(1000)
                .setUserHz(100).setOnlineCpus(online);
        for (CpuTicks t : ticks) {
            b.addCpuTicks(t);
        }
        return b;
    }

    @Test
    void busyCpusAreTheSumOfEachUsableCpusBusyFractionStealIncluded() {
        GuestFacts a = facts(1_000, "0-1", cpu(0, 100, 10, 500, 0), cpu(1, 0, 0, 600, 0)).build();
        GuestFacts b = facts(2_000, "0-1", cpu(0, 170, 20, 510, 10), cpu(1, 25, 0, 675, 0)).build();
        LoadSample s = LoadSamples.between(a, b).orElseThrow();
        assertEquals(0.9 + 0.25, s.busyCpus(), 1e-9);
        assertEquals(2, s.usableCpus());
        assertEquals(0, s.stallFraction());
    }

    @Test
    void fencedCpusAreNotUsableAndTheirTicksDoNotCount() {
        GuestFacts a = facts(1_000, "0-3", cpu(0, 0, 0, 0, 0), cpu(3, 0, 0, 0, 0)).build();
        GuestFacts b = facts(2_000, "0-3", cpu(0, 50, 0, 50, 0), cpu(3, 100, 0, 0, 0)).setFencedCpus("2-3").build();
        LoadSample s = LoadSamples.between(a, b).orElseThrow();
        assertEquals(2, s.usableCpus());
        assertEquals(1.0, s.busyCpus(), 1e-9, "cpu0 at 50 %, cpu1 not in both reports: counted at the average");
    }

    @Test
    void psiSomeTotalGivesTheStallFraction() {
        CpuPressure p1 = CpuPressure.newBuilder().setSomeTotalUs(1_000_000).build();
        CpuPressure p2 = CpuPressure.newBuilder().setSomeTotalUs(1_400_000).build();
        GuestFacts a = facts(1_000, "0", cpu(0, 0, 0, 0, 0)).setCpuPressure(p1).build();
        GuestFacts b = facts(3_000, "0", cpu(0, 100, 0, 100, 0)).setCpuPressure(p2).build();
        assertEquals(0.2, LoadSamples.between(a, b).orElseThrow().stallFraction(), 1e-9);
    }

    @Test
    void aLyingGuestCannotLeaveTheBounds() {
        GuestFacts a = facts(1_000, "0-1", cpu(0, Long.MAX_VALUE, 0, 0, 0), cpu(1, 500, 0, 500, 0))
                .setCpuPressure(CpuPressure.newBuilder().setSomeTotalUs(0)).build();
        GuestFacts b = facts(1_001, "0-1", cpu(0, 0, 0, 100, 0), cpu(1, 10_000_000, 0, 500, 0))
                .setCpuPressure(CpuPressure.newBuilder().setSomeTotalUs(Long.MAX_VALUE)).build();
        LoadSample s = LoadSamples.between(a, b).orElseThrow();
        assertTrue(s.busyCpus() >= 0 && s.busyCpus() <= 2, "busy " + s.busyCpus());
        assertEquals(1, s.stallFraction(), 1e-9);
    }

    @Test
    void reportsThatDoNotMakeASampleGiveNone() {
        GuestFacts a = facts(1_000, "0", cpu(0, 0, 0, 0, 0)).build();
        assertTrue(LoadSamples.between(a, a).isEmpty(), "same clock");
        assertTrue(LoadSamples.between(a, facts(2_000, "garbage", cpu(0, 1, 0, 1, 0)).build()).isEmpty());
        assertTrue(LoadSamples.between(a, facts(2_000, "0", cpu(0, 0, 0, 0, 0)).build()).isEmpty(), "no tick");
        assertTrue(LoadSamples.between(a, facts(2_000, "0", cpu(0, 1, 0, 1, 0)).setFencedCpus("0").build()).isEmpty(),
                "nothing usable");
    }

    @Test
    void vmDemandSamplesEachReportAgainstThePreviousOne() {
        VmDemand d = new VmDemand(DemandPolicy.DEFAULT);
        GuestFacts idle1 = facts(1_000, "0-1", cpu(0, 0, 0, 0, 0), cpu(1, 0, 0, 0, 0)).build();
        GuestFacts idle2 = facts(2_000, "0-1", cpu(0, 1, 0, 99, 0), cpu(1, 0, 0, 100, 0)).build();
        GuestFacts busy = facts(3_000, "0-1", cpu(0, 101, 0, 99, 0), cpu(1, 100, 0, 100, 0)).build();
        assertEquals(false, d.offer(idle1, 0, 2), "a first report is no sample");
        assertEquals(2, d.demand(2));
        assertEquals(true, d.offer(idle2, 1_000, 2));
        assertEquals(0.1, d.demand(2), 1e-9);
        assertEquals(true, d.offer(busy, 2_000, 2));
        assertEquals(2, d.demand(2));
    }
}
