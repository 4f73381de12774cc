package io.vcpubal.guest.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One subscriber's pipeline, no socket; the rate limit's clock moves only when the test says so. */
class NotifyInitializerTest {
    final AtomicLong nanos = new AtomicLong(42);
    final AppContention contention = new AppContention();
    final EmbeddedChannel ch = new EmbeddedChannel(new NotifyInitializer(current("online 4 0-3"), contention, nanos::get));

    private static OnlineBroadcast current(String line) {
        OnlineBroadcast b = new OnlineBroadcast();
        b.publish(line, 0);
        return b;
    }

    @Test
    void aNewSubscriberGetsTheCurrentState() {
        assertEquals("online 4 0-3\n", ((io.netty.buffer.ByteBuf) ch.readOutbound()).toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFloodIsCutToTheRateAndTheExcessCounted() {
        send("contention 1 2\n".repeat(25));
        assertArrayEquals(new long[] {10, 20}, contention.drain(), "10 lines in the first instant");
        assertEquals(15, contention.droppedLines());

        nanos.addAndGet(999_000_000);
        send("contention 1 2\n");
        assertArrayEquals(new long[] {0, 0}, contention.drain(), "still within the second");
        nanos.addAndGet(1_000_000);
        send("contention 1 2\n".repeat(12));
        assertArrayEquals(new long[] {10, 20}, contention.drain(), "the next second lets ten more through");
        assertEquals(18, contention.droppedLines());

        nanos.addAndGet(5_000_000_000L);
        send("garbage\n".repeat(10) + "contention 7 7\n");
        assertArrayEquals(new long[] {0, 0}, contention.drain(), "garbage lines count against the rate too");
        assertTrue(ch.isOpen(), "a flood is throttled, not a reason to hang up");
    }

    @Test
    void aFloodLeavesNothingQueued() {
        for (int i = 0; i < 1000; i++) {
            send("contention 1 1\n".repeat(100));
        }
        assertEquals(100_000 - 10, contention.droppedLines());
        assertTrue(ch.inboundMessages().isEmpty(), "dropped lines are not kept anywhere");
    }

    @Test
    void aLineLongerThanTheBoundClosesAtOnceEvenWithoutItsEnd() {
        send("contention " + "9".repeat(NotifyInitializer.MAX_LINE));
        assertFalse(ch.isOpen());
        assertArrayEquals(new long[] {0, 0}, contention.drain());
    }

    @Test
    void aLineAtTheBoundIsRead() {
        String line = "contention 3 4";
        send(line + " ".repeat(NotifyInitializer.MAX_LINE - line.length()) + "\n");
        assertTrue(ch.isOpen());
        assertArrayEquals(new long[] {3, 4}, contention.drain());
    }

    private void send(String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
