package io.vcpubal.guest.policy;

import io.vcpubal.guest.sysfs.CpuSysfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A guest without systemd with cgroup v2 at {@code sys/fs/cgroup}, and a writer and remover that act like the
 * kernel's: a pid written to a group's {@code cgroup.procs} leaves every other group's and its
 * {@code /proc/PID/cgroup} names the new group; a group that holds a process cannot be removed (EBUSY).
 */
final class CgroupTree {
    private CgroupTree() {}

    static Path create(Path root) throws IOException {
        Path cg = root.resolve("sys/fs/cgroup");
        Files.createDirectories(cg);
        write(root, "proc/self/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n");
        write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        write(root, "sys/fs/cgroup/cgroup.subtree_control", "\n");
        write(root, "sys/fs/cgroup/cgroup.procs", "");
        return cg;
    }

    /** A process in the group at {@code cgroup} ("/" = the root), listed in that group's cgroup.procs. */
    static void process(Path root, int pid, long start, String comm, String cmdline, String cgroup) throws IOException {
        ProcFixture.process(root, pid, start, comm, cmdline, cgroup);
        Path group = groupDir(root, cgroup);
        Files.createDirectories(group);
        Files.writeString(group.resolve("cgroup.procs"), pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void kernelThread(Path root, int pid, String comm) throws IOException {
        ProcFixture.kernelThread(root, pid, comm);
        Files.writeString(root.resolve("sys/fs/cgroup/cgroup.procs"), pid + "\n", StandardOpenOption.APPEND);
    }

    static Path groupDir(Path root, String cgroup) {
        Path cg = root.resolve("sys/fs/cgroup");
        return cgroup.equals("/") ? cg : cg.resolve(cgroup.substring(1));
    }

    /** The pids of a group's cgroup.procs, in order. */
    static List<String> procs(Path root, String cgroup) throws IOException {
        Path f = groupDir(root, cgroup).resolve("cgroup.procs");
        return Files.exists(f) ? Files.readAllLines(f).stream().map(String::strip).filter(s -> !s.isEmpty()).toList()
                : List.of();
    }

    static void write(Path root, String rel, String text) throws IOException {
        Path file = root.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static String read(Path root, String rel) throws IOException {
        return Files.readString(root.resolve(rel)).strip();
    }

    /** Records "relative/path=value" and fails with EIO on {@code failing} paths. */
    static CpuSysfs.OnlineWriter writer(Path root, List<String> writes, Set<String> failing) {
        Path cg = root.resolve("sys/fs/cgroup");
        return (file, value) -> {
            String rel = root.relativize(file).toString();
            if (failing.contains(rel)) {
                throw new IOException("Input/output error");
            }
            if (!Files.isDirectory(file.getParent())) {
                throw new NoSuchFileException(file.toString());
            }
            writes.add(rel + "=" + value.strip());
            if (file.getFileName().toString().equals("cgroup.procs")) {
                String pid = value.strip();
                if (!Files.isDirectory(root.resolve("proc/" + pid))) {
                    throw new IOException("No such process");
                }
                try (Stream<Path> all = Files.walk(cg)) {
                    for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                        Files.write(procs, Files.readAllLines(procs).stream().filter(l -> !l.strip().equals(pid)).toList());
                    }
                }
                Files.writeString(file, pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                String path = "/" + cg.relativize(file.getParent()).toString();
                Files.writeString(root.resolve("proc/" + pid + "/cgroup"), "0::" + (path.equals("/") ? "/" : path) + "\n");
                return;
            }
            if (file.getFileName().toString().equals("cgroup.subtree_control")) {
                // "+cpu" enables, "-cpu" disables; the file then lists what is enabled ("cpuset cpu").
                List<String> on = new java.util.ArrayList<>(List.of(Files.readString(file).strip().split(" +")));
                on.remove("");
                for (String c : value.strip().split(" +")) {
                    on.remove(c.substring(1));
                    if (c.startsWith("+")) {
                        on.add(c.substring(1));
                    }
                }
                Files.writeString(file, String.join(" ", on) + "\n");
                return;
            }
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        };
    }

    /** rmdir: EBUSY while cgroup.procs lists a process, else the group and its interface files go. */
    static ClassGroups.Remover remover() {
        return group -> {
            Path procs = group.resolve("cgroup.procs");
            if (Files.exists(procs) && Files.readAllLines(procs).stream().anyMatch(l -> !l.isBlank())) {
                throw new IOException("Device or resource busy");
            }
            try (Stream<Path> all = Files.walk(group)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        };
    }

    /** Every file under {@code dir} with its content, to show nothing changed. */
    static String snapshot(Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted().toList()) {
                b.append(dir.relativize(p)).append(Files.isRegularFile(p) ? "=" + Files.readString(p) : "/").append('\n');
            }
        }
        return b.toString();
    }
}
