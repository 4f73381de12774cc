package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fake root laid out like a host's: {@code proc/self/mounts}, the cgroup mount directories and
 * {@code proc/<tid>/cgroup} of the tasks a test moves. Control files are plain files here, so a write of a
 * tid to {@code tasks} simply leaves that tid in the file.
 */
final class CgroupFixture {
    final Path root;
    final CgroupVersion version;
    /** The cpu hierarchy root inside the fixture. */
    final Path mount;

    private CgroupFixture(Path root, CgroupVersion version, Path mount) {
        this.root = root;
        this.version = version;
        this.mount = mount;
    }

    /** Like this lab host: v1 cpu at sys/fs/cgroup/cpu, an unified v2 without cpu. */
    static CgroupFixture labV1(Path root) {
        writeMounts(root, MountTables.LAB_V1);
        write(root.resolve("sys/fs/cgroup/unified/cgroup.controllers"), MountTables.LAB_V1_UNIFIED_CONTROLLERS);
        CgroupFixture f = new CgroupFixture(root, CgroupVersion.V1, root.resolve("sys/fs/cgroup/cpu"));
        write(f.mount.resolve("cpu.shares"), "1024\n");
        write(f.mount.resolve("tasks"), "1\n");
        return f;
    }

    /** A pure v2 host; the root's subtree_control starts as {@code subtreeControl}. */
    static CgroupFixture pureV2(Path root, String subtreeControl) {
        writeMounts(root, MountTables.PURE_V2);
        CgroupFixture f = new CgroupFixture(root, CgroupVersion.V2, root.resolve("sys/fs/cgroup"));
        write(f.mount.resolve("cgroup.controllers"), MountTables.PURE_V2_CONTROLLERS);
        write(f.mount.resolve("cgroup.subtree_control"), subtreeControl);
        write(f.mount.resolve("cgroup.procs"), "1\n");
        return f;
    }

    static void writeMounts(Path root, List<String> lines) {
        try {
            Files.createDirectories(root.resolve("proc/self"));
            Files.write(root.resolve("proc/self/mounts"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A live task {@code id} in the cpu cgroup {@code path} ("/machine.slice/..."), as /proc shows it. */
    CgroupFixture task(int id, String path) {
        String line = version == CgroupVersion.V1 ? "3:cpu,cpuacct:" + path : "0::" + path;
        write(root.resolve("proc/" + id + "/cgroup"), line + "\n");
        return this;
    }

    /** A live task /proc knows nothing about the cgroup of (its cgroup file unreadable). */
    CgroupFixture taskWithoutCgroupFile(int id) {
        try {
            Files.createDirectories(root.resolve("proc/" + id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A cgroup directory below the mount, e.g. "machine.slice". */
    Path cgroup(String path) {
        Path dir = mount.resolve(path);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    Path vmDir(String vm) {
        return mount.resolve("vcpubal").resolve(vm);
    }

    /** The trimmed text of a file below the mount, or null when missing. */
    String read(String relative) {
        Path file = mount.resolve(relative);
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
