package io.vcpubal.lab.debian;

import io.vcpubal.lab.GuestImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A cached Debian systemd guest: its root file system as a tarball (unpacked afresh for each test by
 * {@link DebianRoot}) and what boots it, the lab's kernel with an initramfs that mounts that root over 9p.
 *
 * @param rootTar the root file system, as mmdebstrap wrote it (numeric owners)
 * @param boot    kernel and initramfs for QEMU
 */
public record DebianImage(Path rootTar, GuestImage boot) {
    public DebianImage {
        Objects.requireNonNull(rootTar, "rootTar");
        Objects.requireNonNull(boot, "boot");
    }
}
