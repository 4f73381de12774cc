package io.vcpubal.guest.sysfs;

import io.vcpubal.protocol.CpuSet;

import io.vcpubal.protocol.Bounds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CPU hotplug files under {@code <root>/sys/devices/system/cpu}.
 *
 * <p>As in qemu-ga, CPUs are found by listing the {@code cpuN} directories, a missing {@code cpuN/online}
 * file means "online and cannot be offlined", and one method ({@link #transfer}) reads or writes a CPU's
 * state in either direction, writing only where the state differs. Writes go through an injectable
 * {@link OnlineWriter} so tests can make a write fail the way the kernel does (tests run as root, where
 * file permissions do not block writes).
 */
public final class CpuSysfs {

    /** Writes the value to a CPU's {@code online} file; the default is one plain write(2). */
    @FunctionalInterface
    public interface OnlineWriter {
        void write(Path onlineFile, String value) throws IOException;
    }

    /** The real writer: no CREATE, so a vanished sysfs file is an error rather than a new regular file. */
    public static final OnlineWriter FILE_WRITER = (file, value) ->
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);

    private static final Pattern CPU_DIR = Pattern.compile("cpu(0|[1-9][0-9]{0,4})");

    private final Path cpuDir;
    private final OnlineWriter writer;

    /** @param root the filesystem root: {@code /} in production, a fixture tree in tests */
    public CpuSysfs(Path root) {
        this(root, FILE_WRITER);
    }

    public CpuSysfs(Path root, OnlineWriter writer) {
        this.cpuDir = root.resolve("sys/devices/system/cpu");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    public Path cpuDir() {
        return cpuDir;
    }

    /** CPU numbers that have a {@code cpuN} directory (on x86: the present CPUs). */
    public CpuSet listCpus() throws IOException {
        List<Integer> cpus = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cpuDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (CPU_DIR.matcher(name).matches() && Files.isDirectory(dir)) {
                    int cpu = Integer.parseInt(name.substring(3));
                    if (cpu <= Bounds.MAX_CPU) {
                        cpus.add(cpu);
                    }
                }
            }
        }
        return CpuSet.of(cpus);
    }

    /** {@code possible}; empty when the file is missing or malformed (a fact to report, not a command). */
    public Optional<CpuSet> possible() {
        return readList("possible");
    }

    /** {@code present}; empty when the file is missing or malformed. */
    public Optional<CpuSet> present() {
        return readList("present");
    }

    /**
     * {@code online} as the kernel summarises it; empty when missing or malformed. The balloon itself trusts
     * the per-CPU files ({@link #readAll()}), which are what it writes.
     */
    public Optional<CpuSet> online() {
        return readList("online");
    }

    private Optional<CpuSet> readList(String name) {
        try {
            return Optional.of(CpuSet.parse(Files.readString(cpuDir.resolve(name), StandardCharsets.US_ASCII)));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The state of every listed CPU, ascending. */
    public List<CpuState> readAll() throws IOException {
        List<CpuState> states = new ArrayList<>();
        for (int cpu : listCpus().toArray()) {
            states.add(read(cpu));
        }
        return states;
    }

    /**
     * The online CPUs as the per-CPU files say (the same view the balloon acts on), falling back to the
     * top-level {@code online} file when the tree cannot be listed; empty when neither can be read.
     */
    public CpuSet onlineNow() {
        try {
            return CpuSet.of(readAll().stream().filter(CpuState::online).map(CpuState::cpu).toList());
        } catch (IOException e) {
            return online().orElse(CpuSet.empty());
        }
    }

    /** Reads one CPU's state. */
    public CpuState read(int cpu) throws IOException {
        return transfer(cpu, null);
    }

    /**
     * Brings a CPU online or offline, writing only if its state differs, and re-reads the file to verify.
     *
     * @return the verified state
     * @throws IOException if the CPU does not exist, cannot be offlined (no {@code online} file), the write
     *     fails (the kernel's errno is in the message, see {@link Errno}), or the re-read disagrees
     */
    public CpuState setOnline(int cpu, boolean online) throws IOException {
        return transfer(cpu, online);
    }

    /**
     * Reads ({@code wanted == null}) or writes a CPU's {@code online} file; the single place that touches it.
     */
    private CpuState transfer(int cpu, Boolean wanted) throws IOException {
        Path dir = cpuDir.resolve("cpu" + cpu);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "cpu" + cpu + " does not exist");
        }
        Path file = dir.resolve("online");
        if (!Files.exists(file)) {
            if (Boolean.FALSE.equals(wanted)) {
                throw new IOException("EPERM: cpu" + cpu + " cannot be offlined (it has no online file)");
            }
            return new CpuState(cpu, true, false);
        }
        boolean current = readOnlineFile(cpu, file);
        if (wanted == null || wanted == current) {
            return new CpuState(cpu, current, true);
        }
        writer.write(file, wanted ? "1" : "0");
        boolean after = readOnlineFile(cpu, file);
        if (after != wanted) {
            throw new IOException("EIO: cpu" + cpu + " still " + (after ? "online" : "offline")
                    + " after writing " + (wanted ? "1" : "0"));
        }
        return new CpuState(cpu, after, true);
    }

    // Strict on purpose: guessing the state of a CPU we are about to write could offline the wrong one.
    // Reads at most 16 bytes: the file holds "0\n" or "1\n", and a misplaced device must not be read forever.
    private static boolean readOnlineFile(int cpu, Path file) throws IOException {
        byte[] head = new byte[16];
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while (length < head.length && (n = in.read(head, length, head.length - length)) > 0) {
                length += n;
            }
        }
        String text = new String(head, 0, length, StandardCharsets.US_ASCII).strip();
        switch (text) {
            case "0":
                return false;
            case "1":
                return true;
            default:
                throw new IOException("EIO: cpu" + cpu + "/online holds \"" + abbreviate(text) + "\", not 0 or 1");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 16 ? text.substring(0, 16) + "..." : text;
    }
}
