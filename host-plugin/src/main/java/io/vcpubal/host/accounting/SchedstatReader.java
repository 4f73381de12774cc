package io.vcpubal.host.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code /proc/PID/task/TID/schedstat} under a root ({@code Path.of("/")} on a host, a fixture directory
 * in tests). A thread that is gone, a kernel without schedstats (CONFIG_SCHED_INFO off) or a garbled file is
 * "unknown" (empty), never an exception: accounting is a view, it must not break the daemon.
 */
public final class SchedstatReader {
    private final Path proc;

    public SchedstatReader(Path root) {
        this.proc = root.resolve("proc");
    }

    public Optional<TaskSchedstat> read(int pid, int tid) {
        if (pid <= 0 || tid <= 0) {
            return Optional.empty();
        }
        try {
            return TaskSchedstat.parse(Files.readAllLines(proc.resolve(pid + "/task/" + tid + "/schedstat")));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
