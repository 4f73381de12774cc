package io.vcpubal.host.cgroup;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the CPU controller is: its interface version and the root of its hierarchy.
 *
 * @param version v1 ({@code cpu.shares}) or v2 ({@code cpu.weight})
 * @param mount   the hierarchy root, already resolved under the file system root (e.g.
 *                {@code /sys/fs/cgroup/cpu} on a v1 host, {@code /sys/fs/cgroup} on a v2 host)
 */
public record CpuController(CgroupVersion version, Path mount) {
    public CpuController {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(mount, "mount");
    }

    /** The cgroup at {@code path} as {@code /proc/<tid>/cgroup} writes it ("/" is the hierarchy root). */
    public Path dirOf(String path) {
        String relative = path.replaceFirst("^/+", "");
        return relative.isEmpty() ? mount : mount.resolve(relative);
    }

    /** The file that moves a task into the hierarchy root. */
    public Path rootMembersFile() {
        return mount.resolve(version.membersFile());
    }

    @Override
    public String toString() {
        return version.kind() + " at " + mount;
    }
}
