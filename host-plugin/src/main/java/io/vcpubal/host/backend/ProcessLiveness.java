package io.vcpubal.host.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a process incarnation (pid and start time) still runs, asked every second for every VM. The first
 * question opens {@code /proc/PID/stat} and checks the start time; later ones read that open file again: once the
 * process is gone (reaped) the read fails with ESRCH, even if its pid was given to a new process meanwhile, so
 * one read answers without a path lookup, an open or parsing. With 500 VMs the open/read/close of every check
 * was most of the daemon's liveness cost (the fleet simulator).
 */
public final class ProcessLiveness implements AutoCloseable {
    /** Open files kept at most; past this all are closed and reopened on demand (VMs come and go). */
    static final int MAX_OPEN = 4096;

    private record Incarnation(int pid, long startTicks) {}

    private final Path proc;
    private final Map<Incarnation, FileChannel> open = new ConcurrentHashMap<>();

    public ProcessLiveness(Path procRoot) {
        this.proc = procRoot;
    }

    public boolean alive(int pid, long startTicks) {
        if (pid <= 0) {
            return false;
        }
        Incarnation key = new Incarnation(pid, startTicks);
        FileChannel known = open.get(key);
        if (known != null) {
            try {
                if (known.read(ByteBuffer.allocate(1), 0) > 0) {
                    return true;
                }
            } catch (IOException gone) {
                // ESRCH: that process is gone
            }
            forget(key, known);
            return false;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(proc.resolve(pid + "/stat"));
        } catch (IOException e) {
            return false;
        }
        try {
            ByteBuffer buf = ByteBuffer.allocate(1024);
            ch.read(buf, 0);
            String stat = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
            if (ProcTasks.parseStartTicks(stat).orElse(-1) != startTicks) {
                close(ch);
                return false; // another process has that pid now
            }
        } catch (IOException e) {
            close(ch);
            return false;
        }
        if (open.size() >= MAX_OPEN) {
            open.forEach(this::forget);
        }
        if (open.putIfAbsent(key, ch) != null) {
            close(ch); // another thread asked at the same time
        }
        return true;
    }

    private void forget(Incarnation key, FileChannel ch) {
        open.remove(key, ch);
        close(ch);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do about a close that fails
        }
    }

    /** How many processes are watched through an open file (tests). */
    int watched() {
        return open.size();
    }

    @Override
    public void close() {
        open.forEach(this::forget);
    }
}
