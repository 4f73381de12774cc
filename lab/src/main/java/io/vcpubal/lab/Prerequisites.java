package io.vcpubal.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks up front that the host has what the lab needs, so a missing tool fails with one clear message
 * naming the Debian packages to install instead of an obscure error half-way through a build.
 */
public final class Prerequisites {
    /** Needed to boot guests from a prepared image. */
    static final List<HostTool> BOOT = List.of(HostTool.QEMU);
    /** Needed to prepare a guest image (download, unpack, depmod, initramfs). */
    static final List<HostTool> IMAGE = List.of(
            HostTool.APT_GET, HostTool.APT_CACHE, HostTool.DPKG, HostTool.DEPMOD, HostTool.CPIO);

    private Prerequisites() {
    }

    /**
     * Throws a {@link LabException} listing every missing host tool and the Debian package that provides
     * it (qemu-system-x86, kmod, cpio, apt, dpkg).
     */
    public static void check() {
        List<HostTool> all = new ArrayList<>(BOOT);
        all.addAll(IMAGE);
        require(all);
    }

    static void require(List<HostTool> tools) {
        List<HostTool> missing = new ArrayList<>();
        for (HostTool t : tools) {
            if (t.find().isEmpty()) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException(HostTool.missingMessage(missing));
        }
    }
}
