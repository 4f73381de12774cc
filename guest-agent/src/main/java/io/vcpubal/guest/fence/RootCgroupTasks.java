package io.vcpubal.guest.fence;

import io.vcpubal.guest.metrics.PidStat;
import io.vcpubal.guest.metrics.TaskStat;
import io.vcpubal.guest.sysfs.CpuSysfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Moves the processes of the root cgroup into the agent's group, where the cpuset applies (the root cgroup
 * itself cannot be restricted). Children inherit their parent's group, so after the first sweep only
 * processes the kernel starts (usermode helpers) land in the root again; kernel threads never leave it and
 * are remembered, so a sweep of a settled guest is one read of the root's {@code cgroup.procs}.
 */
final class RootCgroupTasks {
    private final Path cgroupRoot;
    private final PidStat stat;
    private final CpuSysfs.OnlineWriter writer;
    private final Set<Integer> staying = new HashSet<>();

    RootCgroupTasks(Path cgroupRoot, Path root, CpuSysfs.OnlineWriter writer) {
        this.cgroupRoot = cgroupRoot;
        this.stat = new PidStat(root);
        this.writer = writer;
    }

    /** @return how many processes moved */
    synchronized int moveInto(Path group) throws IOException {
        List<String> pids = Files.readAllLines(cgroupRoot.resolve("cgroup.procs"), StandardCharsets.US_ASCII);
        Set<Integer> present = new HashSet<>();
        int moved = 0;
        for (String line : pids) {
            int pid;
            try {
                pid = Integer.parseInt(line.strip());
            } catch (NumberFormatException e) {
                continue;
            }
            present.add(pid);
            if (staying.contains(pid)) {
                continue;
            }
            Optional<TaskStat> task = stat.read(pid);
            if (task.isEmpty()) {
                continue; // exited
            }
            if (task.get().kernelThread()) {
                staying.add(pid);
                continue;
            }
            try {
                writer.write(group.resolve("cgroup.procs"), Integer.toString(pid));
                moved++;
            } catch (IOException e) {
                // Exited meanwhile (ESRCH), or a task the kernel keeps in the root: do not try it again.
                staying.add(pid);
            }
        }
        staying.retainAll(present);
        return moved;
    }

    /** Moves every process of {@code group} back to the root cgroup; best effort. */
    void moveBack(Path group) {
        try {
            for (String line : Files.readAllLines(group.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
                try {
                    writer.write(cgroupRoot.resolve("cgroup.procs"), line.strip());
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // group gone already
        }
    }
}
