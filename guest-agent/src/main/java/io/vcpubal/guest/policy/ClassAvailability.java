package io.vcpubal.guest.policy;

import io.vcpubal.guest.fence.Cgroup2Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this guest can have process classes (GuestInfo.process_classes), how, and where its cgroup v2 root is.
 *
 * @param cgroupRoot the mounted cgroup v2 root when available
 * @param unavailable why not (GuestInfo.process_classes_unavailable); empty when available
 * @param systemd systemd runs the guest: classes are units ({@link io.vcpubal.guest.policy.systemd.UnitClasses}),
 *     else the agent's own groups ({@link ProcessClasses})
 */
public record ClassAvailability(Optional<Path> cgroupRoot, Optional<String> unavailable, boolean systemd) {
    public static ClassAvailability off(String why) {
        return new ClassAvailability(Optional.empty(), Optional.of(why), false);
    }

    public boolean available() {
        return unavailable.isEmpty();
    }

    /**
     * Probes: under systemd, the unified hierarchy systemd mounted (never one of the agent's) and systemctl;
     * elsewhere a cgroup v2 hierarchy, mounted through {@code mounter} at {@code /sys/fs/cgroup} when none is
     * (as the fence does). Both need {@code cpu} among the root's controllers.
     */
    public static ClassAvailability probe(Path root, Cgroup2Mount.Mounter mounter) {
        boolean systemd = Files.isDirectory(root.resolve("run/systemd/system"));
        try {
            // systemd mounted the hierarchy it runs on; the agent mounts one only where nothing did
            Optional<Path> cgroupRoot = systemd ? Cgroup2Mount.find(root) : Cgroup2Mount.findOrMount(root, mounter);
            if (cgroupRoot.isEmpty()) {
                return off(systemd ? "systemd runs this guest on cgroup v1 (legacy or hybrid hierarchy): units have no"
                        + " cgroup v2 cpu controller (boot with systemd.unified_cgroup_hierarchy=1)"
                        : "no cgroup v2 hierarchy and no /sys/fs/cgroup to mount one on");
            }
            if (!Cgroup2Mount.offers(cgroupRoot.get(), "cpu")) {
                return off("the kernel offers no cpu controller in " + cgroupRoot.get().resolve("cgroup.controllers")
                        + " (bound to a cgroup v1 hierarchy, or CONFIG_CGROUP_SCHED off)");
            }
            if (systemd && !Files.isExecutable(root.resolve("usr/bin/systemctl"))
                    && !Files.isExecutable(root.resolve("bin/systemctl"))) {
                return off("systemd runs this guest but there is no systemctl to set its units' properties with");
            }
            return new ClassAvailability(cgroupRoot, Optional.empty(), systemd);
        } catch (IOException e) {
            return off("cgroup v2 not usable: " + e.getMessage());
        }
    }
}
