package io.vcpubal.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    void defaultStartsAt100MsDoublesAndCapsAt5s() {
        Backoff b = Backoff.DEFAULT;
        assertEquals(ms(100), b.delay(0), "after a link ended");
        assertEquals(ms(100), b.delay(1));
        assertEquals(ms(200), b.delay(2));
        assertEquals(ms(400), b.delay(3));
        assertEquals(ms(3200), b.delay(6));
        assertEquals(ms(5000), b.delay(7));
        assertEquals(ms(5000), b.delay(Integer.MAX_VALUE));
    }

    @Test
    void factorOneIsAFixedPause() {
        Backoff b = new Backoff(ms(100), ms(100), 1.0);
        assertEquals(ms(100), b.delay(50));
    }

    @Test
    void invalidBoundsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, ms(1), 2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(ms(10), ms(5), 2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(ms(10), ms(50), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(ms(10), ms(50), Double.NaN));
    }
}
