package io.vcpubal.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

/** Time is the event loop's mock ticker: advanced by hand, scheduled resumes run on request. */
class ReadRateLimiterTest {
    private static final int BUDGET = 1000;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final FrameCounters counters = new FrameCounters();
    private final EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker)
            .handlers(new ReadRateLimiter(BUDGET, counters)).build();

    private void read(int bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[bytes]));
        ((ByteBuf) ch.readInbound()).release(); // passed on, never held back
    }

    private void advanceMillis(long millis) {
        ticker.advanceMillis(millis);
        ch.runScheduledPendingTasks();
    }

    @Test
    void trafficWithinTheBudgetNeverStopsReading() {
        for (int second = 0; second < 5; second++) {
            read(400);
            read(400);
            assertTrue(ch.config().isAutoRead());
            advanceMillis(1000);
        }
        assertEquals(0, counters.snapshot().throttled());
        assertFalse(ch.finish());
    }

    @Test
    void reachingTheBudgetStopsReadingUntilTheWindowEnds() {
        read(600);
        advanceMillis(300);
        read(400); // 1,000 bytes 300 ms into the window
        assertFalse(ch.config().isAutoRead());
        assertEquals(1, counters.snapshot().throttled());
        advanceMillis(699);
        assertFalse(ch.config().isAutoRead(), "still the same window");
        advanceMillis(1);
        assertTrue(ch.config().isAutoRead(), "a new window, a new budget");
        read(999);
        assertTrue(ch.config().isAutoRead());
        assertEquals(1, counters.snapshot().throttled());
        assertFalse(ch.finish());
    }

    @Test
    void aReadFarOverTheBudgetIsPaidOffOverTheNextWindows() {
        read(3500); // already read: passed on, then 3.5 s worth of budget are owed
        assertFalse(ch.config().isAutoRead());
        advanceMillis(1000);
        advanceMillis(1000);
        assertFalse(ch.config().isAutoRead(), "1,500 bytes still owed");
        advanceMillis(1000);
        assertTrue(ch.config().isAutoRead(), "500 owed, within a window's budget");
        assertEquals(1, counters.snapshot().throttled(), "one stop, however long");
        read(500);
        assertFalse(ch.config().isAutoRead());
        assertEquals(2, counters.snapshot().throttled());
        assertFalse(ch.finish());
    }

    /** Counts the read() requests that get past the limiter to the channel (it sits at the pipeline's head). */
    private static final class ReadCounter extends io.netty.channel.ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(io.netty.channel.ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    @Test
    void whileStoppedAnExplicitReadFromADecoderIsHeldUntilTheWindowEnds() {
        ReadCounter counter = new ReadCounter();
        EmbeddedChannel c = EmbeddedChannel.builder().ticker(ticker)
                .handlers(counter, new ReadRateLimiter(BUDGET, counters)).build();
        c.writeInbound(Unpooled.wrappedBuffer(new byte[BUDGET]));
        ((ByteBuf) c.readInbound()).release();
        assertFalse(c.config().isAutoRead());
        int before = counter.reads;
        // What ByteToMessageDecoder does after a read that decoded nothing: ask for more despite autoRead off.
        c.read();
        c.read();
        assertEquals(before, counter.reads, "junk that decodes to nothing cannot pull more bytes in");
        ticker.advanceMillis(1000);
        c.runScheduledPendingTasks();
        assertTrue(c.config().isAutoRead());
        assertTrue(counter.reads > before, "reading resumes with the new window");
        assertFalse(c.finish());
    }

    @Test
    void aClosedChannelCancelsItsResume() {
        read(BUDGET);
        assertFalse(ch.config().isAutoRead());
        assertFalse(ch.finish());
        advanceMillis(1000);
        assertFalse(ch.config().isAutoRead(), "nothing resumed on a closed channel");
    }

    @Test
    void theBudgetMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ReadRateLimiter(0, counters));
    }
}
