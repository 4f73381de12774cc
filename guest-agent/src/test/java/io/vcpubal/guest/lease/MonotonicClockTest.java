package io.vcpubal.guest.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {

    @Test
    void followsTheTickerFromItsOrigin() {
        AtomicLong ticker = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
        Instant origin = Instant.parse("2026-11-22T10:00:00Z");
        MonotonicClock clock = MonotonicClock.of(origin, ticker::get);
        assertEquals(origin, clock.instant());
        ticker.addAndGet(1_500_000_000L);
        assertEquals(origin.plusMillis(1500), clock.instant());
        assertEquals(origin.plusMillis(1500).toEpochMilli(), clock.millis());
    }

    @Test
    void theSystemInstanceNeverGoesBackwards() {
        MonotonicClock clock = MonotonicClock.create();
        Instant previous = clock.instant();
        for (int i = 0; i < 1000; i++) {
            Instant now = clock.instant();
            assertFalse(now.isBefore(previous));
            previous = now;
        }
    }
}
