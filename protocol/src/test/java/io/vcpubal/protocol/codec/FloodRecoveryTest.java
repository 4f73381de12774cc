package io.vcpubal.protocol.codec;

import static io.vcpubal.protocol.testing.Frames.frame;
import static io.vcpubal.protocol.testing.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A guest floods its port with junk and planted headers claiming the largest payload, stops in the middle of
 * them, and a new agent then speaks: its first frame must come out as soon as it has arrived, not after the
 * megabyte a planted header claimed.
 */
class FloodRecoveryTest {
    private static final int HOST_BOUND = FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH;

    private static byte[] plantedFlood(int size, int seed) {
        ByteBuffer out = ByteBuffer.allocate(size);
        new Random(seed).nextBytes(out.array());
        for (int at = size / 4; at + 16 <= size; at += 16) {
            out.putInt(at, FrameFormat.MAGIC).putInt(at + 4, HOST_BOUND);
        }
        return out.array();
    }

    @Test
    void theFirstFrameAfterAFloodCutMidHeadersComesOutAtOnce() {
        FrameCounters counters = new FrameCounters();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(HOST_BOUND, counters));
        byte[] flood = plantedFlood(512 * 1024 + 7, 7); // cut mid-header, as a killed writer leaves it
        for (int at = 0; at < flood.length; at += 4096) {
            ch.writeInbound(Unpooled.wrappedBuffer(flood, at, Math.min(4096, flood.length - at)));
        }
        byte[] hello = payload(120, 5);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(hello)));
        ByteBuf out = ch.readInbound();
        assertNotNull(out, "the agent's frame is held back behind the flood: " + counters.snapshot());
        assertArrayEquals(hello, ByteBufUtil.getBytes(out));
        out.release();
        ch.finishAndReleaseAll();
    }
}
