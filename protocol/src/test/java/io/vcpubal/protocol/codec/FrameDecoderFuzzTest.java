package io.vcpubal.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vcpubal.protocol.testing.Frames;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Intact frames separated by random junk, some of it fake headers (a magic with a plausible or absurd length),
 * fed in random chunk sizes: every intact frame comes out, in order, and every junk byte is counted.
 */
class FrameDecoderFuzzTest {
    private static final int FRAMES = 300;
    private static final int BOUND = 4096;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 17, 42, 2026})
    void allIntactFramesSurviveRandomJunk(long seed) {
        Random rnd = new Random(seed);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[]> payloads = new ArrayList<>();
        long junkBytes = 0;
        int fakeHeaders = 0;
        for (int i = 0; i < FRAMES; i++) {
            byte[] junk = randomBytes(rnd, rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(60));
            stream.writeBytes(junk);
            junkBytes += junk.length;
            if (rnd.nextInt(5) == 0) {
                // plausible lengths swallow the frames behind them until the CRC check fails
                int length = rnd.nextBoolean() ? rnd.nextInt(600) : BOUND + 1 + rnd.nextInt(Integer.MAX_VALUE - BOUND);
                byte[] fake = Frames.header(length);
                stream.writeBytes(fake);
                junkBytes += fake.length;
                fakeHeaders++;
            }
            byte[] payload = randomBytes(rnd, rnd.nextInt(400));
            payloads.add(payload);
            stream.writeBytes(Frames.frame(payload));
        }
        byte[] all = stream.toByteArray();

        FrameDecoder decoder = new FrameDecoder(BOUND, new FrameCounters());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        for (int pos = 0; pos < all.length; ) {
            int chunk = Math.min(all.length - pos, 1 + rnd.nextInt(700));
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, pos, pos + chunk)));
            pos += chunk;
        }
        ch.finish(); // a fake header near the end may hold the last frames until the input ends

        for (int i = 0; i < FRAMES; i++) {
            ByteBuf got = ch.readInbound();
            assertNotNull(got, "frame " + i + " missing");
            assertArrayEquals(payloads.get(i), ByteBufUtil.getBytes(got), "frame " + i);
            got.release();
        }
        assertNull(ch.readInbound());

        FrameStats s = decoder.stats();
        assertEquals(all.length, s.bytesReceived());
        assertEquals(FRAMES, s.frames());
        assertEquals(junkBytes, s.droppedBytes());
        assertEquals(all.length - junkBytes, s.frameBytes());
        assertEquals(fakeHeaders, s.droppedFrames());
        assertEquals(s.droppedFrames(), s.crcErrors() + s.oversizedFrames() + s.truncatedFrames());
    }

    private static byte[] randomBytes(Random rnd, int length) {
        byte[] b = new byte[length];
        rnd.nextBytes(b);
        return b;
    }
}
