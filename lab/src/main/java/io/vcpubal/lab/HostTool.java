package io.vcpubal.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A host program the lab runs, with the Debian package that provides it. */
public record HostTool(String command, String debianPackage) {
    static final HostTool QEMU = new HostTool("qemu-system-x86_64", "qemu-system-x86");
    static final HostTool DEPMOD = new HostTool("depmod", "kmod");
    public static final HostTool CPIO = new HostTool("cpio", "cpio");
    static final HostTool APT_GET = new HostTool("apt-get", "apt");
    static final HostTool APT_CACHE = new HostTool("apt-cache", "apt");
    public static final HostTool DPKG = new HostTool("dpkg", "dpkg");
    static final HostTool XZ = new HostTool("xz", "xz-utils");
    static final HostTool ZSTD = new HostTool("zstd", "zstd");
    static final HostTool SETPRIV = new HostTool("setpriv", "util-linux");
    /** Builds the Debian systemd guest's root (see {@code io.vcpubal.lab.debian}). */
    public static final HostTool MMDEBSTRAP = new HostTool("mmdebstrap", "mmdebstrap");
    public static final HostTool TAR = new HostTool("tar", "tar");

    /** sbin directories are searched too: a non-root PATH often lacks them, and depmod lives there. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    /** The executable, searched on PATH and then in the sbin directories. */
    public Optional<Path> find() {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            Path candidate = Path.of(d, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The executable, or a {@link LabException} naming the package to install. */
    public Path require() {
        return find().orElseThrow(() -> new LabException(missingMessage(List.of(this))));
    }

    static String missingMessage(List<HostTool> missing) {
        List<String> commands = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (HostTool t : missing) {
            commands.add(t.command + " (Debian package " + t.debianPackage + ")");
            packages.add(t.debianPackage);
        }
        return "vcpubal lab: missing " + String.join(", ", commands)
                + "; install with: apt-get install --no-install-recommends " + String.join(" ", packages);
    }
}
