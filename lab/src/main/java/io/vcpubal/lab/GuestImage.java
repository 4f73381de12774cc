package io.vcpubal.lab;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A bootable lab guest: a Debian kernel and an initramfs built for it (see {@link GuestImageCache}).
 *
 * @param kernel        the kernel ({@code vmlinuz}) for QEMU's {@code -kernel}
 * @param initrd        the gzip'd initramfs for {@code -initrd}
 * @param kernelVersion e.g. {@code 6.1.0-56-amd64}
 */
public record GuestImage(Path kernel, Path initrd, String kernelVersion) {
    public GuestImage {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(kernelVersion, "kernelVersion");
    }
}
