package io.vcpubal.guest.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineRateLimitTest {
    static final long MS = 1_000_000;

    @Test
    void tenAtOnceThenNothingUntilTheFirstIsASecondOld() {
        LineRateLimit limit = new LineRateLimit(10);
        long t = 5 * MS;
        assertEquals(10, accepted(limit, t, 50));
        assertFalse(limit.tryAcquire(t + 999 * MS));
        assertEquals(10, accepted(limit, t + 1000 * MS, 50), "the ten lines left the window together");
    }

    @Test
    void noOneSecondWindowOfAFloodHoldsMoreThanTen() {
        LineRateLimit limit = new LineRateLimit(10);
        List<Long> times = new ArrayList<>();
        for (long t = 0; t < 10_000 * MS; t += 3 * MS) {
            if (limit.tryAcquire(t)) {
                times.add(t);
            }
        }
        for (int i = 10; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 10) >= 1000 * MS, "11 lines within a second at " + times.get(i));
        }
        assertEquals(100, times.size(), "10 per second over 10 s");
    }

    @Test
    void evenlySpacedLinesAtTheRateAllPass() {
        LineRateLimit limit = new LineRateLimit(10);
        for (long t = 0; t < 5_000 * MS; t += 100 * MS) {
            assertTrue(limit.tryAcquire(t), "line at " + t / MS + " ms");
        }
    }

    @Test
    void aNanoTimeNearTheWrapIsFine() {
        LineRateLimit limit = new LineRateLimit(10);
        long t = Long.MAX_VALUE - 500 * MS;
        assertEquals(10, accepted(limit, t, 20));
        assertFalse(limit.tryAcquire(t + 999 * MS), "past the wrap, still within the second");
        assertTrue(limit.tryAcquire(t + 1000 * MS));
    }

    private static int accepted(LineRateLimit limit, long t, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            n += limit.tryAcquire(t) ? 1 : 0;
        }
        return n;
    }
}
