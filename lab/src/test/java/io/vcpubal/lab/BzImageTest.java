package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BzImageTest {
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] GZIP = {0x1f, (byte) 0x8b, 8};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** A bzImage header: protected-mode code at (setupSects+1)*512, payload at offset/length within it. */
    private static byte[] bzImage(int setupSects, int version, int payloadOffset, int payloadLength, byte[] magic) {
        byte[] image = new byte[8192];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        image[0x1f1] = (byte) setupSects;
        b.put(0x202, new byte[] {'H', 'd', 'r', 'S'});
        b.putShort(0x206, (short) version);
        b.putInt(0x248, payloadOffset);
        b.putInt(0x24c, payloadLength);
        int start = ((setupSects == 0 ? 4 : setupSects) + 1) * 512 + payloadOffset;
        System.arraycopy(magic, 0, image, start, magic.length);
        return image;
    }

    @Test
    void locatesAnXzPayloadWithoutItsSizeTrailer() {
        assertEquals(Optional.of(new BzImage.Payload(BzImage.Format.XZ, 3 * 512 + 100, 46)),
                BzImage.locate(bzImage(2, 0x20f, 100, 50, XZ)));
    }

    @Test
    void gzipKeepsItsWholeLengthAndZstdDropsTheTrailer() {
        assertEquals(Optional.of(new BzImage.Payload(BzImage.Format.GZIP, 1024, 60)),
                BzImage.locate(bzImage(1, 0x20f, 0, 60, GZIP)));
        assertEquals(Optional.of(new BzImage.Payload(BzImage.Format.ZSTD, 1024 + 8, 56)),
                BzImage.locate(bzImage(1, 0x20f, 8, 60, ZSTD)));
    }

    @Test
    void zeroSetupSectorsMeansFour() {
        assertEquals(5 * 512 + 16, BzImage.locate(bzImage(0, 0x20f, 16, 64, XZ)).orElseThrow().offset());
    }

    @Test
    void rejectsWhatItCannotUse() {
        byte[] notBz = bzImage(1, 0x20f, 0, 60, XZ);
        notBz[0x202] = 'X';
        assertEquals(Optional.empty(), BzImage.locate(notBz), "no HdrS magic");
        assertEquals(Optional.empty(), BzImage.locate(bzImage(1, 0x207, 0, 60, XZ)), "protocol before 2.08");
        assertEquals(Optional.empty(), BzImage.locate(bzImage(1, 0x20f, 0, 9000, XZ)), "payload past the end");
        assertEquals(Optional.empty(), BzImage.locate(bzImage(1, 0x20f, 0, 60, new byte[] {'B', 'Z', 'h'})),
                "bzip2 is not supported");
        assertEquals(Optional.empty(), BzImage.locate(new byte[100]), "too short");
    }

    @Test
    void recognisesElf() {
        assertTrue(BzImage.isElf(new byte[] {0x7f, 'E', 'L', 'F', 2}));
        assertFalse(BzImage.isElf(new byte[] {0x7f, 'E', 'L'}));
        assertFalse(BzImage.isElf(XZ));
    }
}
