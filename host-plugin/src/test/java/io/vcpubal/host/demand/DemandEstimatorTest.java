package io.vcpubal.host.demand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemandEstimatorTest {
    private static final int MAX = 4;
    private final DemandEstimator estimator = new DemandEstimator(DemandPolicy.DEFAULT);

    private double offer(double busy, int usable, long nowMs) {
        return estimator.offer(new LoadSample(busy, usable, 0), nowMs, MAX);
    }

    @Test
    void withoutSamplesAVmWantsEverything() {
        assertEquals(MAX, estimator.demand(MAX));
    }

    @Test
    void anIdleVmFallsAtOnceAfterItsFirstSampleButNoLowerThanATenth() {
        assertEquals(0.1, offer(0.01, 4, 0), 1e-9, "first sample: no hold-down yet");
    }

    @Test
    void aSaturatedVmAsksForItsMaxImmediatelyEvenInsideTheHoldDown() {
        offer(0.0, 1, 0);
        assertEquals(MAX, offer(0.95, 1, 100), 0, "one vCPU busy 95 %: wants all it can get");
    }

    @Test
    void stalledTasksSaturateToo() {
        offer(0.0, 2, 0);
        assertEquals(MAX, estimator.offer(new LoadSample(1.0, 2, 0.6), 100, MAX), 0,
                "half its CPUs busy but tasks waited 60 % of the period: a CPU-bound burst on one runqueue");
    }

    @Test
    void aPartialLoadAsksForItsBusyCpusWithHeadroomRoundedUpToATenth() {
        assertEquals(1.9, offer(1.5, 4, 0), 1e-9, "1.5 busy x 1.25 = 1.875 -> 1.9");
    }

    @Test
    void oneIdleReportDoesNotLendAPcpuAway() {
        assertEquals(0.1, offer(0, 2, 0), 1e-9);
        assertEquals(MAX, offer(2, 2, 1_000), 0, "busy");
        // a GC pause or a barrier: one report idle, then busy again; the hold-down keeps the demand
        assertEquals(MAX, offer(0, 4, 2_000), 0);
        assertEquals(MAX, offer(3.9, 4, 3_000), 0);
    }

    @Test
    void afterTheHoldDownAFallBiggerThanTheBandLendsAndTheEwmaSmoothsIt() {
        offer(4, 4, 0);             // saturated: stays at MAX (no change)
        offer(4, 4, 1_000);
        double fell = offer(0, 4, 5_000);  // EWMA 0.75·0 + 0.25·4 = 1 → 1.25
        assertEquals(1.3, fell, 1e-9);
        assertEquals(1.3, offer(0, 4, 6_000), 1e-9, "held down: 0.25 x 1.25 -> 0.4 waits");
        assertEquals(1.3, offer(0, 4, 7_000), 1e-9);
        assertEquals(0.1, offer(0, 4, 8_000), 1e-9, "3 s later: EWMA 0.016 x 1.25 -> 0.1");
    }

    @Test
    void aFallWithinTheBandIsNoChange() {
        offer(3.2, 4, 0);  // 4.0
        assertEquals(MAX, offer(3.0, 4, 10_000), 0, "3.1 x 1.25 = 3.875 -> 3.9, within half a CPU of 4");
    }

    /** The bound: a VM whose load flaps every report re-plans at most 2 x 60 / 3 = 40 times a minute. */
    @Test
    void rePlansPerMinuteAreBoundedHoweverTheLoadFlaps() {
        for (int period : new int[] {100, 500, 1_000}) {
            DemandEstimator e = new DemandEstimator(DemandPolicy.DEFAULT);
            for (long t = 0; t < 60_000; t += period) {
                boolean busy = (t / period) % 2 == 0;
                e.offer(new LoadSample(busy ? 1 : 0, 1, 0), t, MAX);
            }
            assertTrue(e.changes() <= 2 * 60_000 / DemandPolicy.DEFAULT.holdDownMs(),
                    "report every " + period + " ms: " + e.changes() + " changes");
            assertTrue(e.changes() >= 2, "it did follow the load");
        }
    }

    @Test
    void aSteadyLoadSettlesAndThenNeverRePlans() {
        for (long t = 0; t < 10_000; t += 1_000) {
            offer(1.0 + (t % 3_000 == 0 ? 0.05 : 0), 4, t);
        }
        long settled = estimator.changes();
        for (long t = 10_000; t < 70_000; t += 1_000) {
            offer(1.0 + (t % 3_000 == 0 ? 0.05 : 0), 4, t);
        }
        assertEquals(settled, estimator.changes(), "a minute of steady load: no re-plan");
        assertEquals(1.4, estimator.demand(MAX), 1e-9);
    }
}
