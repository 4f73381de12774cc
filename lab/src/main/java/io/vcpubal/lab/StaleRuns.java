package io.vcpubal.lab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Cleans up after labs whose JVM was killed outright (SIGKILL runs no shutdown hook): their run
 * directories stay in /tmp, and without setpriv their QEMUs would keep running. Each run directory
 * records its owner JVM (pid and start time, so a reused pid is not mistaken for the owner) and each guest
 * directory its QEMU pid.
 */
public final class StaleRuns {
    public static final String PREFIX = "vcpubal-lab-";
    static final String OWNER_FILE = "owner";
    static final String QEMU_PID_FILE = "qemu.pid";
    /** A directory without an owner file may be one that another JVM is creating right now. */
    private static final Duration UNOWNED_GRACE = Duration.ofMinutes(10);

    private StaleRuns() {
    }

    /** "pid start-instant", e.g. "4242 2026-11-22T03:16:40.120Z". */
    static String ownerLine(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toString).orElse("?");
    }

    /**
     * Whether the owner recorded in {@code line} still runs; {@code startOf} gives a live pid's start time.
     * An unreadable line counts as alive, so we never delete what we do not understand.
     */
    static boolean ownerAlive(String line, LongFunction<Optional<Instant>> startOf) {
        String[] parts = line.strip().split(" ");
        if (parts.length != 2) {
            return true;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return true;
        }
        Optional<Instant> start = startOf.apply(pid);
        if (start.isEmpty()) {
            return false;
        }
        return parts[1].equals("?") || parts[1].equals(start.get().toString());
    }

    public static void markOwner(Path runDir) throws IOException {
        Files.writeString(runDir.resolve(OWNER_FILE), ownerLine(ProcessHandle.current()) + "\n");
    }

    /** Kills leftover QEMUs of dead owners and deletes their run directories; never throws. */
    static void clean(Path tmp) {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path run : runs) {
                try {
                    if (isStale(run)) {
                        killQemus(run);
                        FileTrees.deleteRecursively(run);
                    }
                } catch (IOException | RuntimeException e) {
                    // someone else's directory or a race with its owner: leave it
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    private static boolean isStale(Path run) throws IOException {
        if (!Files.isDirectory(run)) {
            return false;
        }
        Path owner = run.resolve(OWNER_FILE);
        if (!Files.exists(owner)) {
            return Files.getLastModifiedTime(run).toInstant().isBefore(Instant.now().minus(UNOWNED_GRACE));
        }
        return !ownerAlive(Files.readString(owner), StaleRuns::startOf);
    }

    private static Optional<Instant> startOf(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(p -> p.info().startInstant());
    }

    private static void killQemus(Path run) throws IOException {
        try (DirectoryStream<Path> guests = Files.newDirectoryStream(run)) {
            for (Path guest : guests) {
                Path pidFile = guest.resolve(QEMU_PID_FILE);
                if (!Files.isRegularFile(pidFile)) {
                    continue;
                }
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                // only a process that really is this guest's QEMU: its command line names the guest directory
                ProcessHandle.of(pid)
                        .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).stream()
                                .anyMatch(a -> a.contains(guest.toString())))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
