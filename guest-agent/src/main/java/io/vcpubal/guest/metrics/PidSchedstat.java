package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code /proc/<pid>/schedstat} and {@code /proc/<pid>/task/<tid>/schedstat}, one line:
 * <pre>
 * 82836038 46731225 379      on-CPU ns, runqueue wait ns, timeslices
 * </pre>
 * The file under {@code /proc/<pid>} describes the main thread only; {@link ProcessSampler} sums the
 * threads. Empty when absent (no CONFIG_SCHED_INFO, or the task exited) or with fewer than 3 numbers.
 */
public final class PidSchedstat {

    private final Path proc;

    public PidSchedstat(Path root) {
        this.proc = root.resolve("proc");
    }

    public Optional<TaskSchedstat> read(int pid) {
        return ProcFiles.lines(proc.resolve(pid + "/schedstat")).flatMap(PidSchedstat::parse);
    }

    public Optional<TaskSchedstat> readThread(int pid, int tid) {
        return ProcFiles.lines(proc.resolve(pid + "/task/" + tid + "/schedstat")).flatMap(PidSchedstat::parse);
    }

    public static Optional<TaskSchedstat> parse(List<String> lines) {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        String[] f = ProcFiles.fields(lines.get(0));
        if (f.length < 3) {
            return Optional.empty();
        }
        long onCpu = ProcFiles.parseLong(f[0], -1);
        long wait = ProcFiles.parseLong(f[1], -1);
        long slices = ProcFiles.parseLong(f[2], -1);
        if (onCpu < 0 || wait < 0 || slices < 0) {
            return Optional.empty();
        }
        return Optional.of(new TaskSchedstat(onCpu, wait, slices));
    }
}
