package io.vcpubal.bench;

import io.vcpubal.protocol.codec.FrameFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Byte streams for {@link DecoderBenchmark}: one a well-behaved guest sends, and the worst ones a guest that
 * knows the frame format can build against the host's decoder. Planted headers are 16 bytes apart (a magic,
 * a length, 8 junk bytes that never hold 0xFE) and claim lengths within the bound, so none is rejected
 * from its header alone and every one that is complete costs a CRC of its claimed length.
 */
public enum DecoderStreams {
    /** TypicalFacts frames (1,000 bytes each) back to back: what the host reads all day. */
    NORMAL {
        @Override
        byte[] build(int size, int bound) {
            ByteBuffer out = ByteBuffer.allocate(size);
            byte[] frame = frame(TypicalFacts.envelope().toByteArray());
            while (out.remaining() >= frame.length) {
                out.put(frame);
            }
            return Arrays.copyOf(out.array(), out.position());
        }
    },
    /** A header every 16 bytes whose length reaches the end of the stream: every one is complete and bogus. */
    HEADERS_TO_END {
        @Override
        byte[] build(int size, int bound) {
            return planted(size, bound, (at, end) -> end);
        }
    },
    /** A header every 16 bytes claiming the maximum length: none completes, each is a stale-header suspect. */
    MAX_LENGTHS {
        @Override
        byte[] build(int size, int bound) {
            return planted(size, bound, (at, end) -> at + FrameFormat.OVERHEAD + bound);
        }
    },
    /**
     * A header every 16 bytes reaching the end of the next 1 KiB block, so while the first (maximum length)
     * one waits, each arriving block completes 64 more bogus frames the stale check must CRC.
     */
    HEADERS_TO_NEXT_KIB {
        @Override
        byte[] build(int size, int bound) {
            return planted(size, bound, (at, end) -> at == 0 ? at + FrameFormat.OVERHEAD + bound
                    : Math.min(end, (at / 1024 + 2) * 1024));
        }
    },
    /** The first half {@link #HEADERS_TO_END} of itself, the second half {@link #NORMAL}: frames to recover. */
    FRAMES_BEHIND_JUNK {
        @Override
        byte[] build(int size, int bound) {
            byte[] junk = HEADERS_TO_END.build(size / 2, bound);
            byte[] frames = NORMAL.build(size - junk.length, bound);
            return ByteBuffer.allocate(junk.length + frames.length).put(junk).put(frames).array();
        }
    },
    /** One valid frame of {@code size} bytes whose payload is {@link #HEADERS_TO_NEXT_KIB}: it must come out. */
    LONG_FRAME {
        @Override
        byte[] build(int size, int bound) {
            byte[] payload = HEADERS_TO_NEXT_KIB.build(size - FrameFormat.OVERHEAD, bound);
            payload[0] = 0; // no stale suspect at the start: it would claim more than the frame holds
            return frame(payload);
        }
    };

    /** Header spacing of the planted streams. */
    static final int SPACING = 16;

    /** The stream, at most {@code size} bytes (whole frames only in NORMAL), against a decoder bound. */
    abstract byte[] build(int size, int bound);

    private interface FrameEnd {
        /** Where the frame planted at {@code at} should end, in a stream of {@code end} bytes. */
        int of(int at, int end);
    }

    private static byte[] planted(int size, int bound, FrameEnd frameEnd) {
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int at = 0; at + SPACING <= size; at += SPACING) {
            int length = Math.max(0, Math.min(bound, frameEnd.of(at, size) - at - FrameFormat.OVERHEAD));
            out.putInt(at, FrameFormat.MAGIC).putInt(at + 4, length).putLong(at + 8, 0x0102030405060708L);
        }
        return out.array();
    }

    static byte[] frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(payload.length + FrameFormat.OVERHEAD).putInt(FrameFormat.MAGIC)
                .putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
    }
}
