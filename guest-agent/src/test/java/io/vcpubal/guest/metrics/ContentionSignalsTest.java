package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ContentionSignalsTest {

    static final long SECOND = 1_000_000_000L;

    static SystemSample sampleOf(String fixture, long nanos) {
        return new SystemSampler(Fixtures.root(fixture), () -> nanos).sample();
    }

    @Test
    void fromTwoRealSamples() {
        ContentionSignals s = ContentionSignals.between(sampleOf(Fixtures.THIS_VM, 0), sampleOf(Fixtures.THIS_VM_LATER, SECOND));
        // cpu  89971 0 6876 112040 432 0 350 5906 0 0  ->  cpu  90277 0 6881 112040 432 0 350 5906 0 0
        assertEquals(SECOND, s.intervalNanos());
        assertEquals(0.0, s.stealShare());
        assertEquals(5.0 / 311, s.systemShare(), 1e-12);
        // some total=313042602 -> 314463935 us: 1.42 s of stall in 1 s of (assumed) wall time
        assertEquals((314463935 - 313042602) / 1e6, s.psiSomeShare().getAsDouble(), 1e-9);
        assertEquals(72.09, s.psiSomeAvg10().getAsDouble());
        assertEquals(0.0, s.psiFullShare().getAsDouble());
        assertEquals(OptionalDouble.empty(), s.runqueueWait(), "no /proc/schedstat on this kernel");
        assertEquals(OptionalDouble.empty(), s.lockContentionsPerSecond());
    }

    @Test
    void stealAndSystemShares() {
        SystemSample a = withTicks(0, new CpuTicks(1000, 0, 200, 5000, 10, 5, 5, 100, 0, 0));
        SystemSample b = withTicks(SECOND, new CpuTicks(1060, 0, 220, 5090, 10, 5, 15, 140, 0, 0));
        ContentionSignals s = ContentionSignals.between(a, b);
        // delta: user 60, system 20, idle 90, softirq 10, steal 40 -> total 220, busy 90, kernel 30
        assertEquals(40.0 / 220, s.stealShare(), 1e-12);
        assertEquals(30.0 / 90, s.systemShare(), 1e-12);
    }

    @Test
    void withoutPsi() {
        ContentionSignals s = ContentionSignals.between(sampleOf(Fixtures.NO_PSI, 0), sampleOf(Fixtures.NO_PSI, SECOND));
        assertEquals(OptionalDouble.empty(), s.psiSomeShare());
        assertEquals(OptionalDouble.empty(), s.psiSomeAvg10());
        assertEquals(OptionalDouble.empty(), s.psiFullShare());
        assertEquals(0.0, s.stealShare(), "no ticks passed");
    }

    @Test
    void runqueueWaitAndLockContention() {
        ContentionSignals s = ContentionSignals.between(sampleOf(Fixtures.DEBUG_KERNEL, 0),
                sampleOf(Fixtures.DEBUG_KERNEL_LATER, 2 * SECOND));
        // 4 CPUs x 0.15 s of runqueue wait in 2 s: 0.3 tasks waiting on average
        assertEquals(0.3, s.runqueueWait().getAsDouble(), 1e-12);
        // contentions double from 24800: 24800 in 2 s
        assertEquals(12400.0, s.lockContentionsPerSecond().getAsDouble(), 1e-9);
        double waitMicros = 16371.53 + 325629.52 + 103881.26 + 136294.31;
        assertEquals(waitMicros / 2e6, s.lockWaitShare().getAsDouble(), 1e-9);
    }

    @Test
    void aZeroIntervalGivesNoRates() {
        SystemSample a = sampleOf(Fixtures.DEBUG_KERNEL, 5);
        ContentionSignals s = ContentionSignals.between(a, a);
        assertEquals(OptionalDouble.empty(), s.runqueueWait());
        assertEquals(OptionalDouble.empty(), s.lockContentionsPerSecond());
        assertEquals(OptionalDouble.empty(), s.psiSomeShare());
    }

    @Test
    void countersThatWentBackwardsCountAsNoChange() {
        SystemSample a = withTicks(0, new CpuTicks(1000, 0, 200, 5000, 0, 0, 0, 100, 0, 0));
        SystemSample b = withTicks(SECOND, new CpuTicks(10, 0, 2, 50, 0, 0, 0, 1, 0, 0));
        ContentionSignals s = ContentionSignals.between(a, b);
        assertEquals(0.0, s.stealShare());
        assertEquals(0.0, s.systemShare());
        assertTrue(s.stealShare() >= 0);
    }

    static SystemSample withTicks(long nanos, CpuTicks all) {
        return new SystemSample(nanos, new CpuTimes(all, new TreeMap<>(), 0, 0, 0), CpuPressure.NOT_AVAILABLE,
                Optional.empty(), Optional.empty());
    }
}
