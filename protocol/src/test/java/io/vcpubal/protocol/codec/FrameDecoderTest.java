package io.vcpubal.protocol.codec;

import static io.vcpubal.protocol.testing.Frames.concat;
import static io.vcpubal.protocol.testing.Frames.corruptedPayload;
import static io.vcpubal.protocol.testing.Frames.frame;
import static io.vcpubal.protocol.testing.Frames.header;
import static io.vcpubal.protocol.testing.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder(1024, new FrameCounters());
    private final EmbeddedChannel ch = new EmbeddedChannel(decoder);

    private void feed(byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    private byte[] next() {
        ByteBuf buf = ch.readInbound();
        if (buf == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void frameSplitIntoSingleBytesIsDecodedOnlyWhenComplete() {
        byte[] payload = payload(40, 7);
        byte[] frame = frame(payload);
        for (int i = 0; i < frame.length - 1; i++) {
            feed(new byte[] {frame[i]});
            assertNull(ch.readInbound(), "decoded early after byte " + i);
        }
        feed(new byte[] {frame[frame.length - 1]});
        assertArrayEquals(payload, next());
        assertFalse(ch.finish());
        FrameStats s = decoder.stats();
        assertEquals(new FrameStats(frame.length, 1, frame.length, 0, 0, 0, 0, 0, s.workBytes(), 0), s);
        assertTrue(s.workBytes() <= 2L * frame.length, "payload scanned once and CRC'd once: " + s.workBytes());
    }

    @Test
    void junkBeforeTheMagicIsSkippedAndCounted() {
        byte[] junk = {1, 2, (byte) 0xFE, (byte) 0xC1, 0x56, 0, (byte) 0xFE, 9, (byte) 0xFE, (byte) 0xC1};
        byte[] payload = payload(10, 1);
        feed(concat(junk, frame(payload)));
        assertArrayEquals(payload, next());
        assertFalse(ch.finish());
        assertEquals(junk.length, decoder.stats().droppedBytes());
        assertEquals(1, decoder.stats().frames());
    }

    @Test
    void junkWithoutMagicKeepsOnlyAPossibleMagicPrefixBuffered() {
        feed(new byte[] {5, 6, 7, 8, 9, (byte) 0xFE, (byte) 0xC1});
        assertNull(ch.readInbound());
        assertEquals(5, decoder.stats().droppedBytes(), "the trailing FE C1 may start a magic");
        byte[] payload = payload(3, 3);
        byte[] frame = frame(payload);
        feed(Arrays.copyOfRange(frame, 2, frame.length)); // completes the magic begun above
        assertArrayEquals(payload, next());
        assertFalse(ch.finish());
    }

    @Test
    void corruptedCrcDropsThatFrameAndTheNextOneIsDecoded() {
        byte[] good = payload(20, 2);
        feed(concat(corruptedPayload(payload(30, 1), 5), frame(good)));
        assertArrayEquals(good, next());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        FrameStats s = decoder.stats();
        assertEquals(1, s.crcErrors());
        assertEquals(1, s.droppedFrames());
        assertEquals(30 + FrameFormat.OVERHEAD, s.droppedBytes());
    }

    @Test
    void corruptedCrcTrailerIsDetectedToo() {
        byte[] bad = frame(payload(8, 1));
        bad[bad.length - 1] ^= 1;
        feed(bad);
        assertNull(ch.readInbound());
        assertEquals(1, decoder.stats().crcErrors());
        assertFalse(ch.finish());
    }

    @Test
    void oversizedLengthIsRejectedFromTheHeaderAloneWithoutAllocating() {
        RecordingAllocator alloc = new RecordingAllocator();
        ch.config().setAllocator(alloc);
        feed(header(0xFFFF_FFF0)); // 4 GiB - 16 as unsigned
        assertEquals(1, decoder.stats().oversizedFrames(), "rejected without waiting for a payload");
        feed(header(1025));
        assertEquals(2, decoder.stats().oversizedFrames());
        byte[] good = payload(1024, 4); // exactly at the bound
        feed(frame(good));
        assertArrayEquals(good, next());
        assertFalse(ch.finish());
        assertTrue(alloc.largest() < 4 * 1024, "largest allocation " + alloc.largest());
        FrameStats s = decoder.stats();
        assertEquals(2, s.droppedFrames());
        assertEquals(16, s.droppedBytes(), "two headers of 8 bytes");
    }

    @Test
    void truncatedFrameWaitsAndIsDroppedAtClose() {
        byte[] frame = frame(payload(100, 5));
        feed(Arrays.copyOf(frame, 60));
        assertNull(ch.readInbound());
        assertEquals(0, decoder.stats().droppedBytes(), "still waiting, nothing dropped yet");
        assertFalse(ch.finish());
        assertEquals(60, decoder.stats().droppedBytes());
        assertEquals(1, decoder.stats().truncatedFrames());
        assertEquals(0, decoder.stats().frames());
    }

    @Test
    void framesBehindABogusLengthAreNotHeldBack() {
        byte[] good = payload(30, 3);
        feed(concat(header(900), frame(good))); // the bogus length covers more than will ever arrive
        assertArrayEquals(good, next(), "the intact frame behind the bogus header comes out at once");
        assertFalse(ch.finish());
        FrameStats s = decoder.stats();
        assertEquals(1, s.truncatedFrames());
        assertEquals(8, s.droppedBytes());
        assertEquals(s.bytesReceived(), s.frameBytes() + s.droppedBytes());
    }

    @Test
    void aValidFrameBehindAStaleHeaderIsDecodedAtOnceNotAfterTheStaleLength() {
        // A stale header + half a payload (a host that died mid-frame), then a new host's frames: the whole
        // valid frame behind the stale header proves it stale, so nothing waits for the stale length.
        byte[] stale = Arrays.copyOf(frame(payload(400, 9)), 100);
        byte[] first = payload(150, 1);
        byte[] second = payload(200, 2);
        feed(concat(stale, frame(first)));
        assertArrayEquals(first, next());
        feed(frame(second));
        assertArrayEquals(second, next());
        assertFalse(ch.finish());
        assertEquals(100, decoder.stats().droppedBytes());
        assertEquals(1, decoder.stats().truncatedFrames());
        assertEquals(0, decoder.stats().crcErrors());
    }

    @Test
    void halfAHeaderLeftInThePortDoesNotStallTheNextHost() {
        // Magic + 2 length bytes, then a new frame: its magic becomes the stale header's length (0x0000FEC1,
        // 65 KB, within the bound), which must not hold the new frame back.
        byte[] hello = payload(30, 3);
        feed(concat(new byte[] {1, 2, 3, (byte) 0xFE, (byte) 0xC1, 0x56, 0x42, 0, 0}, frame(hello)));
        assertArrayEquals(hello, next());
        assertFalse(ch.finish());
    }

    @Test
    void aFrameStillArrivingIsNotMistakenForStale() {
        byte[] big = payload(900, 4);
        byte[] whole = frame(big);
        feed(Arrays.copyOf(whole, 500));
        assertNull(ch.readInbound());
        feed(Arrays.copyOfRange(whole, 500, whole.length));
        assertArrayEquals(big, next());
        assertEquals(0, decoder.stats().droppedBytes());
    }

    @Test
    void manyFramesInOneBufferAreAllDecodedInOrder() {
        byte[][] payloads = new byte[100][];
        byte[][] frames = new byte[100][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = payload(i * 3, i);
            frames[i] = frame(payloads[i]);
        }
        feed(concat(frames));
        for (byte[] p : payloads) {
            assertArrayEquals(p, next());
        }
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        assertEquals(100, decoder.stats().frames());
        assertEquals(0, decoder.stats().droppedBytes());
    }

    @Test
    void emptyPayloadIsAFrame() {
        feed(frame(new byte[0]));
        assertArrayEquals(new byte[0], next());
        assertFalse(ch.finish());
    }

    @Test
    void sharedCountersAddUpAcrossDecoders() {
        FrameCounters shared = new FrameCounters();
        EmbeddedChannel a = new EmbeddedChannel(new FrameDecoder(1024, shared));
        EmbeddedChannel b = new EmbeddedChannel(new FrameDecoder(1024, shared));
        a.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {1}, frame(payload(1, 1)))));
        b.writeInbound(Unpooled.wrappedBuffer(frame(payload(2, 2))));
        ((ByteBuf) a.readInbound()).release();
        ((ByteBuf) b.readInbound()).release();
        assertFalse(a.finish());
        assertFalse(b.finish());
        FrameStats s = shared.snapshot();
        assertEquals(2, s.frames());
        assertEquals(1, s.droppedBytes());
        assertEquals(1 + 13 + 14, s.bytesReceived());
    }
}
