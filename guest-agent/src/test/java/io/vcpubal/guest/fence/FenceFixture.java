package io.vcpubal.guest.fence;

import io.vcpubal.guest.sysfs.CpuSysfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * A guest without systemd, as the fence sees it: cgroup v2 at {@code sys/fs/cgroup} (listed in
 * {@code proc/self/mounts}), a user process (pid 100) and a kernel thread (pid 2) in the root cgroup,
 * IRQs 1, 9 and 24 spread over 0-3 (IRQ 0, the timer, refuses to move), and the workqueue mask.
 */
public final class FenceFixture {
    public static final int USER_PID = 100;
    public static final int KTHREAD_PID = 2;

    private FenceFixture() {}

    public static Path create(Path root) throws IOException {
        Path cg = root.resolve("sys/fs/cgroup");
        Files.createDirectories(cg);
        write(root, "proc/self/mounts", "sysfs /sys sysfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n");
        write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        write(root, "sys/fs/cgroup/cgroup.subtree_control", "\n");
        write(root, "sys/fs/cgroup/cgroup.procs", KTHREAD_PID + "\n" + USER_PID + "\n");
        write(root, "proc/" + KTHREAD_PID + "/stat",
                "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 18446744073709551615 0 0 0 0 0 0 0"
                        + " 2147483647 0 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        write(root, "proc/" + USER_PID + "/stat",
                "100 (sh) S 1 100 100 0 -1 4194560 0 0 0 0 3 1 0 0 20 0 1 0 120 0 0 18446744073709551615 0 0 0 0 0"
                        + " 0 0 0 65536 1 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        for (String irq : List.of("0", "1", "9", "24")) {
            write(root, "proc/irq/" + irq + "/smp_affinity_list", "0-3\n");
        }
        write(root, "proc/irq/default_smp_affinity", "f\n");
        write(root, "sys/devices/virtual/workqueue/cpumask", "f\n");
        return cg;
    }

    public static void write(Path root, String rel, String text) throws IOException {
        Path file = root.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    public static String read(Path root, String rel) throws IOException {
        return Files.readString(root.resolve(rel)).strip();
    }

    /**
     * Writes like the kernel's files would end up (the value replaces the content, a new cgroup's files
     * appear on first write, a pid written to a {@code cgroup.procs} leaves the other group's), records
     * "relative/path=value", and fails with EIO on {@code failing} paths.
     */
    public static CpuSysfs.OnlineWriter writer(Path root, List<String> writes, Set<String> failing) {
        return (file, value) -> {
            String rel = root.relativize(file).toString();
            if (failing.contains(rel)) {
                throw new IOException("Input/output error");
            }
            writes.add(rel + "=" + value.strip());
            if (file.getFileName().toString().equals("cgroup.procs")) {
                movePid(root, file, value.strip());
                return;
            }
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        };
    }

    private static void movePid(Path root, Path into, String pid) throws IOException {
        Path cg = root.resolve("sys/fs/cgroup");
        for (Path procs : List.of(cg.resolve("cgroup.procs"), cg.resolve("vcpubal.kept/cgroup.procs"))) {
            if (Files.exists(procs)) {
                List<String> left = Files.readAllLines(procs).stream().filter(l -> !l.strip().equals(pid)).toList();
                Files.write(procs, left);
            }
        }
        Files.createDirectories(into.getParent());
        Files.writeString(into, pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
