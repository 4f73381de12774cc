package io.vcpubal.guest.fence;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the guest's cgroup v2 hierarchy in {@code <root>/proc/self/mounts}; on a guest where nothing
 * mounted one (no systemd, a minimal init) the agent mounts it at {@code /sys/fs/cgroup}, where the kernel
 * provides the mount point for that purpose.
 */
public final class Cgroup2Mount {
    /** mount(2); the real one goes through libc, tests create a fixture tree instead. */
    @FunctionalInterface
    public interface Mounter {
        void mountCgroup2(Path target) throws IOException;
    }

    public static final Mounter LIBC = target -> {
        int rc = Libc.INSTANCE.mount("cgroup2", target.toString(), "cgroup2", 0, null);
        if (rc != 0) {
            throw new IOException("mount -t cgroup2 " + target + " failed: errno " + Native.getLastError());
        }
    };

    private Cgroup2Mount() {}

    /** The mounted cgroup v2 root, or empty when there is none. */
    public static Optional<Path> find(Path root) throws IOException {
        Path mounts = root.resolve("proc/self/mounts");
        if (!Files.exists(mounts)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(mounts, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[2].equals("cgroup2") && f[1].startsWith("/")) {
                return Optional.of(root.resolve(f[1].substring(1).replace("\\040", " ")));
            }
        }
        return Optional.empty();
    }

    /**
     * The mounted cgroup v2 root, or the one {@code mounter} mounts at {@code /sys/fs/cgroup} when none is;
     * empty when there is none and no {@code /sys/fs/cgroup} to mount one on.
     */
    public static Optional<Path> findOrMount(Path root, Mounter mounter) throws IOException {
        Optional<Path> mounted = find(root);
        if (mounted.isPresent()) {
            return mounted;
        }
        Path target = root.resolve("sys/fs/cgroup");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        mounter.mountCgroup2(target);
        return Optional.of(target);
    }

    /** Whether the hierarchy's root lists {@code controller} in its cgroup.controllers. */
    public static boolean offers(Path cgroupRoot, String controller) throws IOException {
        Path controllers = cgroupRoot.resolve("cgroup.controllers");
        return Files.exists(controllers)
                && (" " + Files.readString(controllers, StandardCharsets.US_ASCII).strip() + " ").contains(" " + controller + " ");
    }

    /** Whether {@code <root>/proc/self/mounts} lists a cgroup v1 hierarchy (then v2 cannot control cpusets). */
    static boolean hasV1Cpuset(Path root) throws IOException {
        Path mounts = root.resolve("proc/self/mounts");
        if (!Files.exists(mounts)) {
            return false;
        }
        for (String line : Files.readAllLines(mounts, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length >= 4 && f[2].equals("cgroup") && (f[3].contains(",cpuset") || f[3].startsWith("cpuset"))) {
                return true;
            }
        }
        return false;
    }

    private interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        int mount(String source, String target, String fstype, long flags, Pointer data);
    }
}
