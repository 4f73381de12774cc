package io.vcpubal.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import org.junit.jupiter.api.Test;

class ClassUsageMeterTest {
    /** A report at {@code s} seconds: busy ticks per CPU (100 Hz, 2 CPUs) and the batch group's usage. */
    private static GuestFacts at(double s, long busyTicksPerCpu, long batchUs) {
        GuestFacts.Builder f = GuestFacts.newBuilder().setMonotonicNs((long) (s * 1e9)).setUserHz(100);
        for (int cpu = 0; cpu < 2; cpu++) {
            f.addCpuTicks(CpuTicks.newBuilder().setCpu(cpu).setUserTicks(busyTicksPerCpu).setIdleTicks(1_000));
        }
        if (batchUs >= 0) {
            f.addClasses(ClassState.newBuilder().setName("batch").setUsageUs(batchUs));
        }
        return f.build();
    }

    @Test
    void classCpusAreTheGroupsUsageGrowthAndTheRestIsBusyMinusClasses() {
        ClassUsageMeter m = new ClassUsageMeter();
        m.offer(at(10, 0, 0), 10_000, 2);
        m.offer(at(11, 80, 1_200_000), 11_000, 2); // 1.6 CPUs busy, of which batch 1.2
        assertEquals(1.2, m.classCpus().get("batch"), 1e-9);
        assertEquals(0.4, m.restCpus(), 1e-9);
    }

    @Test
    void theCgroupRootsUsageIsPreferredToTicksForTheRest() {
        ClassUsageMeter m = new ClassUsageMeter();
        m.offer(at(10, 0, 0).toBuilder().setCgroupUsageUs(5_000_000).build(), 10_000, 2);
        // ticks say 1.6 CPUs busy; the root's usage says 1.3, of which batch 1.2
        m.offer(at(11, 80, 1_200_000).toBuilder().setCgroupUsageUs(6_300_000).build(), 11_000, 2);
        assertEquals(0.1, m.restCpus(), 1e-9);
    }

    @Test
    void aQuietClassIsReleasedOnlyAfterTheHold() {
        ClassUsageMeter m = new ClassUsageMeter();
        m.offer(at(10, 0, 0), 10_000, 2);
        m.offer(at(11, 100, 2_000_000), 11_000, 2);
        m.offer(at(12, 100, 2_000_000), 12_000, 2); // idle from here
        assertEquals(2.0, m.classCpus().get("batch"), 1e-9, "held");
        m.offer(at(13, 100, 2_000_000), 13_000, 2);
        m.offer(at(14, 100, 2_000_000), 14_000, 2);
        m.offer(at(15, 100, 2_000_000), 15_000, 2);
        assertEquals(0.0, m.classCpus().get("batch"), 1e-9, "released after " + ClassUsageMeter.HOLD_MS + " ms");
        assertEquals(0.0, m.latestClassCpus().get("batch"), 1e-9);
    }

    @Test
    void aClassWhoseThrottledTimeGrewIsThrottledForTheHold() {
        ClassUsageMeter m = new ClassUsageMeter();
        GuestFacts f0 = at(10, 0, 0);
        m.offer(f0, 10_000, 2);
        GuestFacts f1 = at(11, 1, 10_000);
        m.offer(f1.toBuilder().setClasses(0, f1.getClasses(0).toBuilder().setThrottledUs(900_000)).build(), 11_000, 2);
        assertEquals(java.util.Set.of("batch"), m.throttledClasses());
        for (int s = 12; s <= 15; s++) {
            GuestFacts f = at(s, 1, 10_000);
            m.offer(f.toBuilder().setClasses(0, f.getClasses(0).toBuilder().setThrottledUs(900_000)).build(), s * 1000L, 2);
        }
        assertTrue(m.throttledClasses().isEmpty(), "no more throttling for a hold: released");
    }

    @Test
    void aLyingGuestIsClampedToItsVcpus() {
        ClassUsageMeter m = new ClassUsageMeter();
        m.offer(at(10, 0, 0), 10_000, 2);
        m.offer(at(11, 10_000, 90_000_000), 11_000, 2);
        assertEquals(2.0, m.classCpus().get("batch"), 1e-9);
        assertEquals(0.0, m.restCpus(), 1e-9);
    }

    @Test
    void aCounterGoingBackwardsOrAStaleIntervalGivesNoRate() {
        ClassUsageMeter m = new ClassUsageMeter();
        m.offer(at(10, 0, 5_000_000), 10_000, 2);
        m.offer(at(11, 50, 1_000), 11_000, 2); // the group was made again (agent restart)
        assertTrue(!m.classCpus().containsKey("batch"));
        m.offer(at(200, 60, 2_000), 200_000, 2); // 189 s gap
        assertTrue(m.classCpus().isEmpty());
        m.offer(at(200, 70, 3_000), 200_000, 2); // no time passed
        assertTrue(m.classCpus().isEmpty());
    }
}
