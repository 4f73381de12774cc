package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code /proc/<pid>/stat}, one line:
 * <pre>
 * 20673 (a) (b c) R 20669 20669 2390 0 -1 4194304 160 0 0 0 215 0 0 0 20 0 1 0 86530 ...
 * pid   (comm)    state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
 * </pre>
 * The command name may contain spaces and parentheses, so it runs from the first '(' to the LAST ')';
 * fields are counted from there. Empty when absent (exited), or malformed.
 */
public final class PidStat {

    /** Kernel threads may have names up to 64 chars in 6.x; anything longer is not a comm. */
    private static final int MAX_COMM = 64;

    private final Path proc;

    public PidStat(Path root) {
        this.proc = root.resolve("proc");
    }

    public Optional<TaskStat> read(int pid) {
        return ProcFiles.lines(proc.resolve(pid + "/stat")).flatMap(PidStat::parse);
    }

    public static Optional<TaskStat> parse(List<String> lines) {
        return lines.isEmpty() ? Optional.empty() : parseLine(lines.get(0));
    }

    public static Optional<TaskStat> parseLine(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open || close - open - 1 > MAX_COMM) {
            return Optional.empty();
        }
        long pid = ProcFiles.parseLong(line.substring(0, open).strip(), -1);
        String[] f = ProcFiles.fields(line.substring(close + 1));
        // f[0] is field 3 (state); field n is f[n - 3].
        if (pid < 0 || pid > Integer.MAX_VALUE || f.length < 20 || f[0].length() != 1) {
            return Optional.empty();
        }
        return Optional.of(new TaskStat(
                (int) pid,
                line.substring(open + 1, close),
                f[0].charAt(0),
                (int) ProcFiles.parseLong(f[1], 0),
                Math.max(0, ProcFiles.parseLong(f[11], 0)),
                Math.max(0, ProcFiles.parseLong(f[12], 0)),
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, ProcFiles.parseLong(f[17], 1))),
                ProcFiles.parseLong(f[19], 0),
                f.length > 36 ? (int) ProcFiles.parseLong(f[36], -1) : -1,
                ProcFiles.parseLong(f[6], 0)));
    }
}
