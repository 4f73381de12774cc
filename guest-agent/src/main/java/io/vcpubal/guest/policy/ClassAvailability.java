package io.vcpubal.guest.policy;

import io.vcpubal.guest.fence.Cgroup2Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this guest can have process classes (GuestInfo.process_classes), and where its cgroup v2 root is.
 *
 * @param cgroupRoot the mounted cgroup v2 root when available
 * @param unavailable why not (GuestInfo.process_classes_unavailable); empty when available
 */
public record ClassAvailability(Optional<Path> cgroupRoot, Optional<String> unavailable) {
    public static final String SYSTEMD = "systemd manages this guest's cgroups; classes through unit properties"
            + " are not supported yet";

    public static ClassAvailability off(String why) {
        return new ClassAvailability(Optional.empty(), Optional.of(why));
    }

    public boolean available() {
        return unavailable.isEmpty();
    }

    /**
     * Probes as the fence does: not under systemd, a cgroup v2 hierarchy (mounted through {@code mounter} at
     * {@code /sys/fs/cgroup} when none is), and {@code cpu} among its controllers.
     */
    public static ClassAvailability probe(Path root, Cgroup2Mount.Mounter mounter) {
        if (Files.isDirectory(root.resolve("run/systemd/system"))) {
            // Groups of the agent's next to systemd's slices would move processes out of their units behind
            // systemd's back; the systemd way (CPUWeight= etc. on the units) is not built yet.
            return off(SYSTEMD);
        }
        try {
            Optional<Path> mounted = Cgroup2Mount.find(root);
            Path cgroupRoot;
            if (mounted.isPresent()) {
                cgroupRoot = mounted.get();
            } else {
                cgroupRoot = root.resolve("sys/fs/cgroup");
                if (!Files.isDirectory(cgroupRoot)) {
                    return off("no cgroup v2 hierarchy and no /sys/fs/cgroup to mount one on");
                }
                mounter.mountCgroup2(cgroupRoot);
            }
            Path controllers = cgroupRoot.resolve("cgroup.controllers");
            if (!Files.exists(controllers)
                    || !(" " + Files.readString(controllers, StandardCharsets.US_ASCII).strip() + " ").contains(" cpu ")) {
                return off("the kernel offers no cpu controller in " + controllers
                        + " (bound to a cgroup v1 hierarchy, or CONFIG_CGROUP_SCHED off)");
            }
            return new ClassAvailability(Optional.of(cgroupRoot), Optional.empty());
        } catch (IOException e) {
            return off("cgroup v2 not usable: " + e.getMessage());
        }
    }
}
