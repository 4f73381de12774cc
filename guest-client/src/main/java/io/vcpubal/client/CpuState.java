package io.vcpubal.client;

import java.util.Objects;

/**
 * The guest's online CPUs as the agent announces them: a count and the kernel cpulist ("0-1,3").
 *
 * <p>Wire format of the agent's notify socket (one line per change, UTF-8, '\n'-terminated; the current
 * state is sent right after a client connects):
 *
 * <pre>cpus COUNT CPULIST</pre>
 *
 * e.g. {@code cpus 2 0-1}. Unknown line types must be ignored by readers, so the agent can add some later.
 * Lines a client may send: {@code contention BLOCKED_COUNT BLOCKED_MS} (monitor contention since the last
 * such line; the agent forwards the sums in its facts).
 */
public record CpuState(int count, String cpuList) {
    public static final String PREFIX = "cpus ";

    public CpuState {
        if (count < 1) {
            throw new IllegalArgumentException("CPU count must be >= 1, got " + count);
        }
        Objects.requireNonNull(cpuList, "cpuList");
    }

    /** The line the agent writes for this state, without the newline. */
    public String toLine() {
        return PREFIX + count + " " + cpuList;
    }

    /** Parses one notify line; null for lines of other types or malformed ones (readers skip those). */
    public static CpuState parseLine(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = line.substring(PREFIX.length()).trim().split(" ");
        if (parts.length < 1 || parts.length > 2) {
            return null;
        }
        try {
            int count = Integer.parseInt(parts[0]);
            return count < 1 ? null : new CpuState(count, parts.length == 2 ? parts[1] : "");
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
