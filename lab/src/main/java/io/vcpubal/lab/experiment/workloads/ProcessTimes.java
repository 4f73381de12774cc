package io.vcpubal.lab.experiment.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * User and system (kernel) CPU time of one process, from {@code /proc/<pid>/stat} (fields 14 and 15, in
 * clock ticks; all threads of the process included).
 *
 * @param userTicks   utime
 * @param systemTicks stime
 */
public record ProcessTimes(long userTicks, long systemTicks) {
    /** Linux's USER_HZ on every architecture the lab boots (x86-64). */
    public static final int TICKS_PER_SECOND = 100;
    static final ProcessTimes UNKNOWN = new ProcessTimes(0, 0);

    /** This JVM's times under {@code procRoot} (normally {@code /proc}); {@link #UNKNOWN} when unreadable. */
    public static ProcessTimes readSelf(Path procRoot) {
        try {
            return parse(Files.readString(procRoot.resolve("self/stat")));
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /**
     * Parses one stat line. The command name (field 2) may hold spaces and parentheses, so fields are
     * counted from the last ')'. Malformed input gives {@link #UNKNOWN}.
     */
    public static ProcessTimes parse(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            return UNKNOWN;
        }
        String[] f = statLine.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field N is f[N - 3]
        if (f.length < 13) {
            return UNKNOWN;
        }
        try {
            return new ProcessTimes(Long.parseLong(f[11]), Long.parseLong(f[12]));
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    /** The times spent since {@code earlier}. */
    public ProcessTimes minus(ProcessTimes earlier) {
        return new ProcessTimes(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks);
    }

    public double systemSeconds() {
        return systemTicks / (double) TICKS_PER_SECOND;
    }

    public double userSeconds() {
        return userTicks / (double) TICKS_PER_SECOND;
    }
}
