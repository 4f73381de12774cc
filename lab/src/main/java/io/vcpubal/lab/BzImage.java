package io.vcpubal.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Locates the compressed kernel inside a bzImage, following the x86 boot protocol header (2.08+):
 * {@code setup_sects} at 0x1f1, magic {@code "HdrS"} at 0x202, {@code payload_offset} and
 * {@code payload_length} at 0x248/0x24c, relative to the protected-mode code at (setup_sects+1)*512.
 *
 * <p>Why: under TCG, decompressing an xz kernel takes seconds at every boot; QEMU boots the
 * uncompressed ELF {@code vmlinux} directly through its PVH entry point, which halves the boot time.
 */
final class BzImage {
    enum Format { GZIP, XZ, ZSTD }

    /**
     * The compressed stream: {@code offset}/{@code length} in the bzImage file, without the 4-byte
     * decompressed-size trailer the kernel build appends to xz and zstd payloads (gzip has its own).
     */
    record Payload(Format format, int offset, int length) {
    }

    private BzImage() {
    }

    /** The payload, or empty if this is no bzImage or uses a compressor we cannot undo. */
    static Optional<Payload> locate(byte[] image) {
        if (image.length < 0x250) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0x202) != 0x53726448 /* "HdrS" */ || (b.getShort(0x206) & 0xffff) < 0x208) {
            return Optional.empty();
        }
        int setupSects = image[0x1f1] & 0xff;
        if (setupSects == 0) {
            setupSects = 4; // boot protocol: 0 means 4
        }
        long start = (setupSects + 1L) * 512 + (b.getInt(0x248) & 0xffffffffL);
        long length = b.getInt(0x24c) & 0xffffffffL;
        if (length < 8 || start + length > image.length) {
            return Optional.empty();
        }
        int off = (int) start;
        int len = (int) length;
        if (startsWith(image, off, 0x1f, 0x8b)) {
            return Optional.of(new Payload(Format.GZIP, off, len));
        }
        if (startsWith(image, off, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return Optional.of(new Payload(Format.XZ, off, len - 4));
        }
        if (startsWith(image, off, 0x28, 0xb5, 0x2f, 0xfd)) {
            return Optional.of(new Payload(Format.ZSTD, off, len - 4));
        }
        return Optional.empty();
    }

    /** True if {@code data} begins with the ELF magic. */
    static boolean isElf(byte[] data) {
        return startsWith(data, 0, 0x7f, 'E', 'L', 'F');
    }

    private static boolean startsWith(byte[] data, int off, int... magic) {
        if (off + magic.length > data.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((data[off + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
