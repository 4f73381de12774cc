package io.vcpubal.host.backend;

import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The affinity each thread had before vcpubal first pinned it, one file per VM under a state directory
 * ({@code /run/vcpubal/affinity}), so a daemon killed with SIGKILL and started again still gives threads back
 * what they had before any daemon touched them, not the pins the dead one left. Each line is
 * {@code PID START_TICKS TID CPULIST}; the process start time tells a live entry from one of a QEMU that has
 * since exited. Files are replaced atomically and read with a size bound; a damaged line is skipped.
 */
public final class AffinityLedger {
    private static final Logger LOG = LoggerFactory.getLogger(AffinityLedger.class);
    /** Far more than any VM's thread count needs (a line is under 40 bytes unless the cpulist is long). */
    static final long MAX_FILE_BYTES = 1 << 20;

    /** One thread's affinity before the first pin, and the process incarnation it belongs to. */
    public record Entry(int pid, long startTicks, int tid, CpuSet affinity) {}

    private final Path dir;

    private AffinityLedger(Path dir) {
        this.dir = dir;
    }

    /** A ledger kept in {@code dir} (created 0700 on first write). */
    public static AffinityLedger in(Path dir) {
        return new AffinityLedger(dir);
    }

    /** A ledger that remembers nothing across restarts (tests, or no writable state directory). */
    public static AffinityLedger none() {
        return new AffinityLedger(null);
    }

    /** What was recorded for {@code vm} by tid; empty when nothing was (or the file is unreadable). */
    public Map<Integer, Entry> load(String vm) {
        Map<Integer, Entry> out = new HashMap<>();
        if (dir == null) {
            return out;
        }
        Path file = fileOf(vm);
        try {
            if (!Files.isRegularFile(file)) {
                return out;
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                LOG.warn("ignoring {}: larger than {} bytes", file, MAX_FILE_BYTES);
                return out;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                Entry e = parse(line);
                if (e != null) {
                    out.put(e.tid(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read {}: {}", file, e.toString());
        }
        return out;
    }

    /** Replaces what is recorded for {@code vm} with {@code entries}. */
    public void save(String vm, Collection<Entry> entries) throws IOException {
        if (dir == null) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        StringBuilder text = new StringBuilder();
        for (Entry e : entries) {
            text.append(e.pid()).append(' ').append(e.startTicks()).append(' ').append(e.tid()).append(' ')
                    .append(e.affinity()).append('\n');
        }
        Path file = fileOf(vm);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forgets {@code vm} (after its threads were given back what they had). */
    public void remove(String vm) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(fileOf(vm));
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", fileOf(vm), e.toString());
        }
    }

    private Path fileOf(String vm) {
        // VM names are checked to be plain file names (VmConfig); refuse anything else rather than escape dir.
        if (vm.isEmpty() || vm.contains("/") || vm.startsWith(".")) {
            throw new IllegalArgumentException("not a VM name usable as a file name: " + vm);
        }
        return dir.resolve(vm + ".affinity");
    }

    static Entry parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 4) {
            return null;
        }
        try {
            int pid = Integer.parseInt(f[0]);
            long start = Long.parseLong(f[1]);
            int tid = Integer.parseInt(f[2]);
            CpuSet cpus = CpuSet.parse(f[3]);
            return pid > 0 && tid > 0 && start >= 0 && !cpus.isEmpty() ? new Entry(pid, start, tid, cpus) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
