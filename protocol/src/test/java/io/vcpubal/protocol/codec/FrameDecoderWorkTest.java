package io.vcpubal.protocol.codec;

import static io.vcpubal.protocol.testing.Frames.concat;
import static io.vcpubal.protocol.testing.Frames.frame;
import static io.vcpubal.protocol.testing.Frames.header;
import static io.vcpubal.protocol.testing.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streams a guest that knows the frame format builds to make the host's decoder CRC the same bytes over and
 * over: the decoder's work counter stays linear in the bytes received, and every frame the rules promise to
 * recover comes out. Work, not time, is checked; the ticker stands still, so the budget is the bytes' alone
 * (time's share is {@link FloodRecoveryTest}'s).
 */
class FrameDecoderWorkTest {
    /** The host's bound. */
    private static final int BOUND = 1 << 20;
    private static final int SIZE = 64 * 1024;
    /** Per-read overhead the counter may add beyond the linear bound. */
    private static final int SLACK = 64;

    /** A stream and the payloads that must come out of it, in order. */
    record Fixture(String name, byte[] stream, List<byte[]> payloads) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Case(Fixture fixture, int chunk) {
        @Override
        public String toString() {
            return fixture + (chunk == 0 ? ", whole" : ", " + chunk + "-byte reads");
        }
    }

    static Stream<Case> adversarialStreams() {
        List<Fixture> fixtures = List.of(
                planted("headers every 8 bytes reaching the end", 8, (at, end) -> end),
                planted("headers every 16 bytes reaching the end", 16, (at, end) -> end),
                planted("headers every 100 bytes reaching the end", 100, (at, end) -> end),
                planted("max-length headers every 8 bytes", 8, (at, end) -> at + FrameFormat.OVERHEAD + BOUND),
                planted("max-length headers every 16 bytes", 16, (at, end) -> at + FrameFormat.OVERHEAD + BOUND),
                planted("a stale header, then headers every 16 bytes reaching the next KiB", 16, (at, end) ->
                        at == 0 ? at + FrameFormat.OVERHEAD + BOUND : Math.min(end, (at / 1024 + 2) * 1024)),
                framesBehind("frames behind headers reaching the end of the junk",
                        planted("", 16, (at, end) -> end).stream()),
                framesBehind("frames behind 4,096 stale max-length headers",
                        planted("", 16, (at, end) -> at + FrameFormat.OVERHEAD + BOUND).stream()),
                longFrameOfHeaders(),
                normal());
        return fixtures.stream().flatMap(f -> Stream.of(0, 1, 61, 1024).map(chunk -> new Case(f, chunk)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adversarialStreams")
    void workIsLinearAndRecoverableFramesComeOut(Case c) {
        FrameCounters counters = new FrameCounters();
        List<byte[]> got = decode(c.fixture().stream(), c.chunk(), counters);

        FrameStats s = counters.snapshot();
        assertEquals(c.fixture().stream().length, s.bytesReceived());
        assertTrue(s.workBytes() <= FrameDecoder.MAX_WORK_PER_BYTE * s.bytesReceived() + SLACK,
                "work " + s.workBytes() + " for " + s.bytesReceived() + " bytes");
        assertEquals(c.fixture().payloads().size(), got.size(), "frames out");
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(c.fixture().payloads().get(i), got.get(i), "frame " + i);
        }
        assertEquals(s.bytesReceived(), s.frameBytes() + s.droppedBytes(), "every byte accounted for");
    }

    @Test
    void aLongFrameArrivingInSmallReadsIsScannedOnceAndCheckedOnce() {
        // The stale check looks behind a waiting frame on every read; it must not rescan what it has seen.
        byte[] p = payload(512 * 1024, 3);
        FrameCounters counters = new FrameCounters();
        List<byte[]> got = decode(frame(p), 64, counters);
        assertEquals(1, got.size());
        assertArrayEquals(p, got.get(0));
        FrameStats s = counters.snapshot();
        assertTrue(s.workBytes() <= 2L * s.bytesReceived(), "work " + s.workBytes());
    }

    @Test
    void normalTrafficIsCheckedOnceAndScannedAtMostOnce() {
        FrameCounters whole = new FrameCounters();
        decode(normal().stream(), 0, whole);
        FrameStats s = whole.snapshot();
        assertTrue(s.workBytes() <= s.bytesReceived(), "work " + s.workBytes() + " of " + s.bytesReceived());
        // Read by read, a frame still arriving is scanned once by the stale check too.
        FrameCounters reads = new FrameCounters();
        decode(normal().stream(), 1000, reads);
        s = reads.snapshot();
        assertTrue(s.workBytes() <= 2 * s.bytesReceived(), "work " + s.workBytes() + " of " + s.bytesReceived());
    }

    @Test
    void aSenderOverBudgetLosesOnlyFramesHiddenInsideItsBogusFrames() {
        // Valid frames each covered by 64 bogus frames reaching the end: finding them all would mean CRCing the
        // stream 64 times over. Once the budget is spent, bogus frames are skipped whole and take the hidden
        // frames with them; a frame sent after the attack comes out.
        int block = 64 * 16 + 512;
        ByteBuffer attack = ByteBuffer.allocate(SIZE / block * block);
        List<byte[]> hidden = new ArrayList<>();
        while (attack.hasRemaining()) {
            for (int i = 0; i < 64; i++) {
                int at = attack.position();
                attack.putInt(FrameFormat.MAGIC).putInt(attack.capacity() - at - FrameFormat.OVERHEAD).putLong(0);
            }
            byte[] p = payload(512 - FrameFormat.OVERHEAD, hidden.size());
            hidden.add(p);
            attack.put(frame(p));
        }
        byte[] stream = attack.array();
        FrameCounters counters = new FrameCounters();
        EmbeddedChannel ch = frozenClock(new FrameDecoder(BOUND, counters));
        ch.writeInbound(Unpooled.wrappedBuffer(stream));
        int out = drain(ch).size();
        assertTrue(out < hidden.size(), out + " of " + hidden.size() + " hidden frames found: budget never ran out");
        FrameStats s = counters.snapshot();
        assertTrue(s.workBytes() <= FrameDecoder.MAX_WORK_PER_BYTE * s.bytesReceived() + SLACK, "work " + s.workBytes());

        byte[] later = payload(100, 7);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(later)));
        List<byte[]> after = drain(ch);
        assertArrayEquals(later, after.get(after.size() - 1));
        ch.finishAndReleaseAll();
    }

    @Test
    void withinBudgetAFrameHiddenInsideABogusOneIsStillFound() {
        byte[] good = payload(40, 5);
        byte[] bogus = concat(header(200), frame(good), new byte[200 - good.length]);
        FrameCounters counters = new FrameCounters();
        List<byte[]> got = decode(concat(bogus, new byte[4]), 0, counters);
        assertEquals(1, got.size());
        assertArrayEquals(good, got.get(0));
        assertEquals(1, counters.snapshot().crcErrors());
    }

    private static List<byte[]> decode(byte[] stream, int chunk, FrameCounters counters) {
        EmbeddedChannel ch = frozenClock(new FrameDecoder(BOUND, counters));
        int step = chunk == 0 ? stream.length : chunk;
        List<byte[]> got = new ArrayList<>();
        for (int at = 0; at < stream.length; at += step) {
            ch.writeInbound(Unpooled.wrappedBuffer(stream, at, Math.min(step, stream.length - at)));
            got.addAll(drain(ch));
        }
        ch.finish();
        got.addAll(drain(ch));
        return got;
    }

    private static EmbeddedChannel frozenClock(FrameDecoder decoder) {
        return EmbeddedChannel.builder().ticker(Ticker.newMockTicker()).handlers(decoder).build();
    }

    private static List<byte[]> drain(EmbeddedChannel ch) {
        List<byte[]> got = new ArrayList<>();
        for (ByteBuf b; (b = ch.readInbound()) != null; b.release()) {
            got.add(ByteBufUtil.getBytes(b));
        }
        return got;
    }

    /**
     * A header every {@code spacing} bytes (magic, length, junk without 0xFE), each frame ending where
     * {@code frameEnd.applyAsInt(at, size)} says, within the bound.
     */
    private static Fixture planted(String name, int spacing, IntBinaryOperator frameEnd) {
        ByteBuffer out = ByteBuffer.allocate(SIZE);
        for (int at = 0; at + spacing <= SIZE; at += spacing) {
            int length = Math.max(0, Math.min(BOUND, frameEnd.applyAsInt(at, SIZE) - at - FrameFormat.OVERHEAD));
            out.putInt(at, FrameFormat.MAGIC).putInt(at + 4, length);
            for (int i = 8; i < spacing; i++) {
                out.put(at + i, (byte) i);
            }
        }
        return new Fixture(name, out.array(), List.of());
    }

    private static Fixture framesBehind(String name, byte[] junk) {
        Fixture frames = normal();
        return new Fixture(name, concat(junk, frames.stream()), frames.payloads());
    }

    /** One valid frame whose payload is planted headers: it must come out whole. */
    private static Fixture longFrameOfHeaders() {
        byte[] p = planted("", 16, (at, end) -> Math.min(end, (at / 1024 + 2) * 1024)).stream();
        return new Fixture("a valid frame full of headers reaching the next KiB", frame(p), List.of(p));
    }

    /** 50 frames of 300-1,000 bytes back to back. */
    private static Fixture normal() {
        List<byte[]> payloads = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] p = payload(300 + 14 * i, i);
            payloads.add(p);
            frames.add(frame(p));
        }
        return new Fixture("typical frames", concat(frames.toArray(new byte[0][])), payloads);
    }
}
