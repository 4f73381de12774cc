package io.vcpubal.guest.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fake {@code /proc/PID} directories: stat, comm, cmdline and cgroup of a process or a kernel thread. */
final class ProcFixture {
    private ProcFixture() {}

    static void process(Path root, int pid, long startTicks, String comm, String cmdline, String cgroup)
            throws IOException {
        Path dir = root.resolve("proc/" + pid);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stat"), stat(pid, comm, 4194560L, startTicks));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.write(dir.resolve("cmdline"), cmdline.getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("cgroup"), "0::" + cgroup + "\n");
    }

    static void kernelThread(Path root, int pid, String comm) throws IOException {
        Path dir = root.resolve("proc/" + pid);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stat"), stat(pid, comm, 0x00200040L, 5));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.write(dir.resolve("cmdline"), new byte[0]);
        Files.writeString(dir.resolve("cgroup"), "0::/\n");
    }

    static void exit(Path root, int pid) throws IOException {
        Path dir = root.resolve("proc/" + pid);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    private static String stat(int pid, String comm, long flags, long startTicks) {
        return pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 " + flags + " 0 0 0 0 3 1 0 0 20 0 1 0 "
                + startTicks + " 0 0 18446744073709551615 0 0 0 0 0 0 0 0 65536 1 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    }
}
