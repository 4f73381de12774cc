package io.vcpubal.protocol.testing;

import io.vcpubal.protocol.codec.FrameFormat;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Builds frames byte by byte, independently of FrameEncoder, so the decoder is tested against the spec. */
public final class Frames {
    private Frames() {
    }

    /** A well-formed frame around {@code payload}. */
    public static byte[] frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(payload.length + FrameFormat.OVERHEAD)
                .putInt(FrameFormat.MAGIC).putInt(payload.length).put(payload).putInt((int) crc.getValue())
                .array();
    }

    /** Only a header (magic + length), e.g. to claim an absurd length. */
    public static byte[] header(int length) {
        return ByteBuffer.allocate(FrameFormat.HEADER_LENGTH).putInt(FrameFormat.MAGIC).putInt(length).array();
    }

    /** A frame whose payload byte {@code index} has been flipped after the CRC was computed. */
    public static byte[] corruptedPayload(byte[] payload, int index) {
        byte[] frame = frame(payload);
        frame[FrameFormat.HEADER_LENGTH + index] ^= 0x5A;
        return frame;
    }

    /** Concatenation of byte arrays. */
    public static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (byte[] p : parts) {
            all.put(p);
        }
        return all.array();
    }

    /** The bytes 0, 1, 2, ... (mod 256) as a recognisable payload; 0xFE never starts a magic inside it. */
    public static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }
}
