package io.vcpubal.host.accounting;

import java.util.List;
import java.util.Optional;

/**
 * One task's {@code /proc/PID/task/TID/schedstat}: "6209884 1875916 3", i.e. nanoseconds run on a CPU,
 * nanoseconds waited on a run queue, timeslices run. All three are cumulative since the thread started.
 */
public record TaskSchedstat(long runNs, long waitNs, long timeslices) {
    /** Empty when the file is not one line of three non-negative numbers (garbled, or not schedstat at all). */
    public static Optional<TaskSchedstat> parse(List<String> lines) {
        if (lines.size() != 1) {
            return Optional.empty();
        }
        String[] f = lines.get(0).trim().split("\\s+");
        if (f.length != 3) {
            return Optional.empty();
        }
        long[] v = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Long.parseLong(f[i]);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (v[i] < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new TaskSchedstat(v[0], v[1], v[2]));
    }
}
