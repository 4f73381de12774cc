package io.vcpubal.protocol.codec;

import static io.vcpubal.protocol.testing.Frames.frame;
import static io.vcpubal.protocol.testing.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A guest floods its port with junk and planted headers claiming the largest payload, stops in the middle of
 * them, and a new agent then speaks: its first frame must come out as soon as it has arrived, not after the
 * megabyte a planted header claimed, nor after the agent paid off the CRC budget the flood overspent.
 */
class FloodRecoveryTest {
    private static final int HOST_BOUND = FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH;

    private final MockTicker ticker = Ticker.newMockTicker();
    private final FrameCounters counters = new FrameCounters();
    private final EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker)
            .handlers(new FrameDecoder(HOST_BOUND, counters)).build();

    /** HostPluginIT's flood: random bytes with max-length headers every 16 bytes in the middle half. */
    private static byte[] plantedFlood(int size, int seed, int from, int to) {
        ByteBuffer out = ByteBuffer.allocate(size);
        new Random(seed).nextBytes(out.array());
        for (int at = from; at + 16 <= to; at += 16) {
            out.putInt(at, FrameFormat.MAGIC).putInt(at + 4, HOST_BOUND);
        }
        return out.array();
    }

    private void feed(byte[] bytes, int length) {
        for (int at = 0; at < length; at += 4096) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(4096, length - at)));
        }
    }

    private ByteBuf agentSpeaks(byte[] payload) {
        ch.writeInbound(Unpooled.wrappedBuffer(frame(payload)));
        return ch.readInbound();
    }

    @Test
    void theFirstFrameAfterAFloodCutMidHeadersComesOutAtOnce() {
        byte[] flood = plantedFlood(512 * 1024 + 7, 7, 128 * 1024, 512 * 1024 + 7);
        feed(flood, flood.length); // cut mid-header, as a killed writer leaves it
        byte[] hello = payload(120, 5);
        ByteBuf out = agentSpeaks(hello);
        assertNotNull(out, "the agent's frame is held back behind the flood: " + counters.snapshot());
        assertArrayEquals(hello, ByteBufUtil.getBytes(out));
        out.release();
        ch.finishAndReleaseAll();
    }

    /**
     * Repeated floods complete planted frames, whose CRCs overspend the budget; a cut then leaves the debt.
     * Bytes alone paid it off only after ~100 KiB of the agent's frames (325 of them here: minutes of reports).
     */
    @Test
    void aFloodThatOverspentTheBudgetHoldsTheNextAgentBackForASecondAtMost() {
        byte[] flood = plantedFlood(1 << 20, 7, 1 << 18, 3 << 18);
        for (int rep = 0; rep < 4; rep++) {
            feed(flood, flood.length);
        }
        feed(flood, 427_231);
        byte[] hello = payload(300, 1);
        ByteBuf early = agentSpeaks(hello);
        assertNull(early, "no debt left to show the case: " + counters.snapshot());
        ticker.advanceMillis(1000);
        byte[] facts = payload(300, 2);
        ByteBuf out = agentSpeaks(facts);
        assertNotNull(out, "a second later the agent is still held back: " + counters.snapshot());
        assertArrayEquals(hello, ByteBufUtil.getBytes(out), "its first frame comes out first");
        out.release();
        ByteBuf second = ch.readInbound();
        assertNotNull(second);
        assertArrayEquals(facts, ByteBufUtil.getBytes(second));
        second.release();
        assertTrue(counters.snapshot().workBytes() <= FrameDecoder.MAX_WORK_PER_BYTE * counters.snapshot().bytesReceived()
                + FrameFormat.OVERHEAD + HOST_BOUND, "time paid one frame of the bound: " + counters.snapshot());
        ch.finishAndReleaseAll();
    }
}
