package io.vcpubal.guest.policy;

import io.vcpubal.guest.fence.CgroupFence;
import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.ClassState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The classes' cgroup v2 groups, {@value #PREFIX}NAME directly under the hierarchy's root.
 *
 * <p>Top-level, not under a group of the rest of the guest: cpu.weight divides the CPU among siblings, so a
 * class is weighed against the guest's other top-level groups and its root-cgroup processes, which is what
 * "the rest of the guest has the default, 100" in the protocol means. The groups are leaves (cgroup v2 lets
 * only leaves and the root hold processes). On a fenced guest each new group gets the kept cpuset from the
 * fence ({@link CpuFence#confine}) before any process enters it.
 *
 * <p>Writes go through the injectable writer (tests fail them like the kernel does); reads are
 * {@link CgroupCpuFiles}'s.
 */
public final class ClassGroups {
    public static final String PREFIX = CgroupFence.CLASS_PREFIX;

    /** rmdir(2) of a group; the kernel refuses (EBUSY) while a process is in it. */
    @FunctionalInterface
    public interface Remover {
        void rmdir(Path group) throws IOException;
    }

    public static final Remover RMDIR = Files::delete;

    private final Path cgroupRoot;
    private final CpuSysfs.OnlineWriter writer;
    private final CpuFence fence;
    private final Remover remover;

    /** @param cgroupRoot the mounted cgroup v2 root, with {@code cpu} among its {@code cgroup.controllers} */
    public ClassGroups(Path cgroupRoot, CpuSysfs.OnlineWriter writer, CpuFence fence, Remover remover) {
        this.cgroupRoot = cgroupRoot;
        this.writer = writer;
        this.fence = fence;
        this.remover = remover;
    }

    public Path group(String name) {
        return cgroupRoot.resolve(PREFIX + name);
    }

    /** A cgroup path as /proc/PID/cgroup has it ("/" = the root) as a directory. */
    public Path resolve(String cgroupPath) {
        String rel = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return rel.isEmpty() ? cgroupRoot : cgroupRoot.resolve(rel);
    }

    /** Whether a cgroup path is one of the class groups. */
    public static boolean isClassPath(String cgroupPath) {
        return cgroupPath.startsWith("/" + PREFIX);
    }

    /**
     * Where the rest of the guest is: the fence's group while it exists (so a process leaving a class of a
     * fenced guest stays fenced), else the root.
     */
    public Path rest() {
        Path kept = cgroupRoot.resolve(CgroupFence.GROUP);
        return Files.isDirectory(kept) ? kept : cgroupRoot;
    }

    /**
     * Makes the group if needed and writes its settings. Order matters to the kernel: the cpu controller is
     * enabled in the root before the group exists (so its cpu.* files appear), the kept cpuset is copied
     * before a process can enter, and cpu.weight is written while the group is not idle (the kernel refuses
     * a weight for an idle group with EINVAL), so cpu.idle = 0 goes first and cpu.idle = 1 last.
     *
     * @return whether the group was made now (the caller removes it again if this throws)
     */
    public boolean apply(ClassSpec spec) throws IOException {
        enableCpu();
        Path g = group(spec.name());
        boolean made = !Files.isDirectory(g);
        if (made) {
            Files.createDirectory(g);
        }
        fence.confine(g);
        Path idle = g.resolve("cpu.idle");
        boolean idleNow = readLong(idle, 0) == 1;
        if (!spec.idle() && idleNow) {
            writer.write(idle, "0");
            idleNow = false;
        }
        if (!idleNow) {
            writer.write(g.resolve("cpu.weight"), Integer.toString(spec.cpuWeight()));
        }
        if (spec.idle() && !idleNow) {
            writer.write(idle, "1");
        }
        writer.write(g.resolve("cpu.max"), (spec.quotaUs() == 0 ? "max" : Long.toString(spec.quotaUs())) + " "
                + Bounds.CPU_MAX_PERIOD_US);
        return made;
    }

    /** Moves a process (all its threads) into {@code group}. */
    public void move(int pid, Path group) throws IOException {
        writer.write(group.resolve("cgroup.procs"), Integer.toString(pid));
    }

    /** The pids in a group now; empty when the group is gone. */
    public List<Integer> procs(Path group) {
        return CgroupCpuFiles.procs(group);
    }

    /** usage_usec of the root's cpu.stat: every task's CPU time; 0 when the kernel has none (before 5.x). */
    public long rootUsageUs() {
        return CgroupCpuFiles.usageUs(cgroupRoot);
    }

    /** The group as the kernel has it: process count, cpu.stat usage and settings read back. */
    public ClassState state(String name) {
        Path g = group(name);
        return CgroupCpuFiles.state(name, g, procs(g).size());
    }

    /** Names of the class groups that exist (also those of a previous run). */
    public List<String> existing() {
        try (Stream<Path> children = Files.list(cgroupRoot)) {
            return children.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(PREFIX) && Files.isDirectory(cgroupRoot.resolve(n)))
                    .map(n -> n.substring(PREFIX.length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes an empty group; throws while processes are in it (EBUSY) or when the kernel refuses. */
    public void rmdir(String name) throws IOException {
        Path g = group(name);
        if (Files.isDirectory(g)) {
            remover.rmdir(g);
        }
    }

    private void enableCpu() throws IOException {
        Path control = cgroupRoot.resolve("cgroup.subtree_control");
        if (!(" " + first(control) + " ").contains(" cpu ")) {
            writer.write(control, "+cpu");
        }
    }

    private static long readLong(Path file, long fallback) {
        return CgroupCpuFiles.readLong(file, fallback);
    }

    private static String first(Path file) {
        return CgroupCpuFiles.first(file);
    }
}
