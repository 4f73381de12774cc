package io.vcpubal.guest.policy;

import io.vcpubal.guest.metrics.PidStat;
import io.vcpubal.guest.metrics.TaskStat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a process's {@link ProcessIdentity} under {@code <root>/proc/PID}: {@code stat} (start time, kernel
 * thread), {@code comm}, {@code cmdline} and {@code cgroup}. Empty when the process exited meanwhile.
 */
public final class IdentityReader {
    /** Command lines can be megabytes (a JVM's class path); a rule needs the start, and a glob's cost is bounded. */
    public static final int MAX_CMDLINE_BYTES = 4096;

    private final Path proc;
    private final PidStat stat;

    public IdentityReader(Path root) {
        this.proc = root.resolve("proc");
        this.stat = new PidStat(root);
    }

    public Optional<ProcessIdentity> read(int pid) {
        Optional<TaskStat> s = stat.read(pid);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Path dir = proc.resolve(Integer.toString(pid));
        String comm = firstLine(dir.resolve("comm")).orElse(s.get().comm());
        String cmdline = s.get().kernelThread() ? "" : cmdline(head(dir.resolve("cmdline"), MAX_CMDLINE_BYTES));
        String cgroup = lines(dir.resolve("cgroup")).map(IdentityReader::cgroupV2).orElse("");
        return Optional.of(new ProcessIdentity(pid, s.get().ppid(), s.get().startTicks(), comm, cmdline, cgroup,
                s.get().kernelThread()));
    }

    /** The start time now, to check a pid still names the same process before moving it; empty when gone. */
    public OptionalLong startTicks(int pid) {
        return stat.read(pid).map(t -> OptionalLong.of(t.startTicks())).orElse(OptionalLong.empty());
    }

    /** "a\0b c\0d\0" → "a b c d": NULs between arguments become one space, trailing NULs go. */
    static String cmdline(byte[] raw) {
        int end = raw.length;
        while (end > 0 && raw[end - 1] == 0) {
            end--;
        }
        byte[] out = new byte[end];
        for (int i = 0; i < end; i++) {
            out[i] = raw[i] == 0 ? (byte) ' ' : raw[i];
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The path of the cgroup v2 line "0::/path"; v1 lines ("4:cpu,cpuacct:/x") are skipped; empty if none. */
    static String cgroupV2(List<String> lines) {
        for (String line : lines) {
            if (line.startsWith("0::")) {
                return line.substring(3).strip();
            }
        }
        return "";
    }

    private static byte[] head(Path file, int max) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(max);
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    private static Optional<List<String>> lines(Path file) {
        try {
            return Optional.of(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> firstLine(Path file) {
        return lines(file).filter(l -> !l.isEmpty()).map(l -> l.get(0));
    }
}
