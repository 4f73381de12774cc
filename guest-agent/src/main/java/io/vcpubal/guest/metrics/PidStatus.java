package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Parses the lines of {@code /proc/<pid>/status} (and {@code /proc/<pid>/task/<tid>/status}) we need:
 * <pre>
 * Name:	process_api
 * Threads:	13
 * voluntary_ctxt_switches:	336
 * nonvoluntary_ctxt_switches:	43
 * </pre>
 * The context-switch counts under {@code /proc/<pid>} are the main thread's only; {@link ProcessSampler}
 * sums the threads. Missing or malformed lines count as "" / 0 / 1; empty only when the file is absent.
 */
public final class PidStatus {

    private final Path proc;

    public PidStatus(Path root) {
        this.proc = root.resolve("proc");
    }

    public Optional<TaskStatus> read(int pid) {
        return ProcFiles.lines(proc.resolve(pid + "/status")).map(PidStatus::parse);
    }

    public Optional<TaskStatus> readThread(int pid, int tid) {
        return ProcFiles.lines(proc.resolve(pid + "/task/" + tid + "/status")).map(PidStatus::parse);
    }

    public static TaskStatus parse(List<String> lines) {
        String name = "";
        long voluntary = 0;
        long involuntary = 0;
        long threads = 1;
        for (String line : lines) {
            String value;
            if ((value = ProcFiles.valueOf(line, "Name")) != null) {
                name = value;
            } else if ((value = ProcFiles.valueOf(line, "Threads")) != null) {
                threads = ProcFiles.parseLong(value, 1);
            } else if ((value = ProcFiles.valueOf(line, "voluntary_ctxt_switches")) != null) {
                voluntary = Math.max(0, ProcFiles.parseLong(value, 0));
            } else if ((value = ProcFiles.valueOf(line, "nonvoluntary_ctxt_switches")) != null) {
                involuntary = Math.max(0, ProcFiles.parseLong(value, 0));
            }
        }
        return new TaskStatus(name, voluntary, involuntary, (int) Math.max(1, Math.min(Integer.MAX_VALUE, threads)));
    }
}
