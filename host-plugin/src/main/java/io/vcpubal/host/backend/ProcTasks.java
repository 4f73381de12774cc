package io.vcpubal.host.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Reads processes and their threads under a /proc root, so thread ids reported by a hypervisor can be checked
 * against the process that really runs the VM.
 */
public final class ProcTasks {
    private final Path proc;

    public ProcTasks(Path procRoot) {
        this.proc = procRoot;
    }

    /** Whether {@code tid} is a thread of process {@code pid} now ({@code /proc/PID/task/TID} exists). */
    public boolean isTaskOf(int pid, int tid) {
        return pid > 0 && tid > 0 && Files.isDirectory(proc.resolve(pid + "/task/" + tid));
    }

    /** Every thread id of {@code pid}; empty when the process is gone. */
    public List<Integer> tasksOf(int pid) {
        try (Stream<Path> tasks = Files.list(proc.resolve(pid + "/task"))) {
            return tasks.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{1,10}"))
                    .map(Integer::parseInt).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process (thread group) thread {@code tid} belongs to ({@code Tgid:} of /proc/TID/status); empty when gone. */
    public OptionalInt processOf(int tid) {
        try (Stream<String> lines = Files.lines(proc.resolve(tid + "/status"))) {
            return lines.filter(l -> l.startsWith("Tgid:")).findFirst().map(l -> l.substring(5).trim())
                    .filter(v -> v.matches("\\d{1,10}")).map(v -> OptionalInt.of(Integer.parseInt(v)))
                    .orElse(OptionalInt.empty());
        } catch (IOException | java.io.UncheckedIOException e) {
            return OptionalInt.empty();
        }
    }

    /** The process's start time in clock ticks since boot; empty when it is gone or the file is malformed. */
    public OptionalLong startTicks(int pid) {
        try {
            return parseStartTicks(Files.readString(proc.resolve(pid + "/stat")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Field 22 of {@code /proc/PID/stat}: "1234 (qemu-system-x86) S 1 ... starttime ...". The command name may
     * hold spaces and parentheses, so fields are counted after the last ')'.
     */
    public static OptionalLong parseStartTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field 22 is f[19].
        if (f.length < 20) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
