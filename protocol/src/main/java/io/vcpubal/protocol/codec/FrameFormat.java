package io.vcpubal.protocol.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The wire layout of one frame. All integers are big-endian (network byte order):
 *
 * <pre>
 * offset  size  field
 * 0       4     magic   0xFE 0xC1 0x56 0x42  (0xFE and 0xC1 never occur in UTF-8, so no string field can hold it)
 * 4       4     length  payload length in bytes, unsigned; 0 .. maxPayloadLength (default 1 MiB)
 * 8       n     payload one serialized protobuf message (n = length)
 * 8 + n   4     crc     CRC32C (Castagnoli, java.util.zip.CRC32C) of the payload bytes only
 * </pre>
 *
 * <p>The frame is self-synchronising: a reader that lands in the middle of a stream (stale bytes left in a
 * virtio-serial port by a previous host connection) scans for the magic and trusts a frame only when its
 * CRC matches.
 */
public final class FrameFormat {
    /** The four magic bytes as one big-endian int. */
    public static final int MAGIC = 0xFEC15642;
    /** First byte of the magic, the byte the decoder scans for. */
    static final byte MAGIC_FIRST_BYTE = (byte) (MAGIC >>> 24);
    /** Size of the magic field. */
    public static final int MAGIC_LENGTH = 4;
    /** Size of magic plus length field. */
    public static final int HEADER_LENGTH = 8;
    /** Size of the CRC trailer. */
    public static final int TRAILER_LENGTH = 4;
    /** Bytes a frame adds around its payload. */
    public static final int OVERHEAD = HEADER_LENGTH + TRAILER_LENGTH;
    /** Default bound on the payload length: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_LENGTH = 1 << 20;

    private FrameFormat() {
    }

    /** CRC32C of {@code length} bytes of {@code buf} starting at absolute {@code index}; indices unchanged. */
    public static int crc32c(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer part : buf.nioBuffers(index, length)) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }

    /** Checks a configured payload bound; the header's length field is unsigned but Java arrays are not. */
    static int requireValidBound(int maxPayloadLength) {
        if (maxPayloadLength < 0 || maxPayloadLength > Integer.MAX_VALUE - OVERHEAD) {
            throw new IllegalArgumentException("maxPayloadLength out of range: " + maxPayloadLength);
        }
        return maxPayloadLength;
    }
}
