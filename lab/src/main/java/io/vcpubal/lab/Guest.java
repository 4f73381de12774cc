package io.vcpubal.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running QEMU guest of a {@link Lab}. Its root file system is the host's own {@code /} (read-only),
 * with tmpfs on {@code /tmp} and {@code /run} and a writable per-guest share at {@link #GUEST_SHARE}, so
 * host programs (the JDK, built jars) run inside it by their host paths.
 *
 * <p>The host root is mounted with {@code cache=loose} (it makes {@code java -version} in the guest about
 * 4x faster), so a host file that changes <em>while the guest runs</em> may look stale inside it: put
 * such files in the share, which is uncached.
 *
 * <p>Commands run through the share: {@link #exec} waits for the result, {@link #spawn} does not. Each
 * command runs with the host's {@code /bin/sh} as root, in its own session, with {@code /} as working
 * directory. A command starts at once: the host rings a doorbell (a second virtio-serial port) after
 * placing it; the guest also scans the share every few seconds in case a ring is lost.
 */
public final class Guest {
    /** Where the guest sees its writable share ({@link #shareDir()} on the host). */
    public static final String GUEST_SHARE = "/run/lab";

    private static final Duration POLL = Duration.ofMillis(20);
    private static final String JAVA_FLAGS = "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";
    private static final int CONSOLE_TAIL_LINES = 40;

    private final GuestSpec spec;
    private final GuestDirs dirs;
    private final Process process;
    private final Instant launched;
    private final AtomicLong commandSeq = new AtomicLong();
    private final Doorbell doorbell;
    private volatile Instant readyAt;

    private Guest(GuestSpec spec, GuestDirs dirs, Process process, Instant launched) {
        this.spec = spec;
        this.dirs = dirs;
        this.process = process;
        this.launched = launched;
        this.doorbell = new Doorbell(dirs.doorbellSocket());
    }

    /** Creates the guest's directories and starts QEMU; does not wait for the guest to boot. */
    static Guest launch(Path qemu, GuestSpec spec, GuestImage image, GuestDirs dirs) {
        dirs.checkSocketPaths();
        dirs.createShare();
        ProcessBuilder pb = new ProcessBuilder(QemuCommand.build(qemu, spec, image, dirs))
                .directory(dirs.root().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(dirs.qemuOutput().toFile())
                .redirectErrorStream(true);
        Instant launched = Instant.now();
        Process process = ProcessLauncher.start(pb);
        try {
            Files.writeString(dirs.root().resolve(StaleRuns.QEMU_PID_FILE), process.pid() + "\n");
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("could not record the QEMU pid in " + dirs.root(), e);
        }
        return new Guest(spec, dirs, process, launched);
    }

    /**
     * A guest whose QEMU another program started (libvirt) from {@code image} with the files of {@code dirs}
     * ({@link GuestDirs#createShare} first). Commands run as in the lab's own guests; its owner stops it.
     */
    public static Guest adopt(GuestSpec spec, GuestDirs dirs, Process qemu) {
        return new Guest(spec, dirs, qemu, Instant.now());
    }

        /** The name from the {@link GuestSpec}; also the guest's directory name in the lab's run directory. */
    public String name() {
        return spec.name();
    }

    /** What this guest was booted with. */
    public GuestSpec spec() {
        return spec;
    }

    /** QEMU's QMP socket (a server; one client at a time). */
    public Path qmpSocket() {
        return dirs.qmpSocket();
    }

    /** Host side of the virtio-serial port {@code io.vcpubal.agent.0} (a server; connect as a client). */
    public Path agentSocket() {
        return dirs.agentSocket();
    }

    /** The host directory the guest sees at {@link #GUEST_SHARE}, read-write on both sides. */
    public Path shareDir() {
        return dirs.share();
    }

    /** The guest's serial console (kernel messages, init and runner output). */
    public Path consoleLog() {
        return dirs.consoleLog();
    }

    /** The QEMU process (started through setpriv, which execs QEMU, so this is QEMU itself). */
    public Process process() {
        return process;
    }

    /** The QEMU process id; {@code query-cpus-fast} over QMP gives its vCPU thread ids. */
    public long pid() {
        return process.pid();
    }

    /** Whether QEMU still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the guest's command runner is up. Fails with the console tail if QEMU exits or the
     * timeout passes first. Returns at once if the guest is already ready.
     */
    public void awaitReady(Duration timeout) {
        if (readyAt != null) {
            return;
        }
        Path ready = dirs.share().resolve("ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(ready)) {
            if (!process.isAlive()) {
                throw failure("QEMU exited (status " + process.exitValue() + ") before the guest was ready");
            }
            if (System.nanoTime() - deadline > 0) {
                throw failure("guest not ready after " + timeout.toSeconds() + " s");
            }
            sleep(POLL);
        }
        readyAt = Instant.now();
        doorbell.connect();
    }

    /** Time from starting QEMU to the command runner being ready; fails if the guest is not ready yet. */
    public Duration bootToReady() {
        Instant r = readyAt;
        if (r == null) {
            throw new IllegalStateException("guest " + name() + " is not ready (call awaitReady first)");
        }
        return Duration.between(launched, r);
    }

    /**
     * Runs {@code shellCommand} with the guest's {@code /bin/sh} and waits for it. On timeout the
     * command's whole session is killed and a {@link LabException} is thrown; a non-zero exit code is
     * not an error here (see {@link GuestResult#requireOk()}).
     */
    public GuestResult exec(String shellCommand, Duration timeout) {
        String id = submit(shellCommand);
        Path out = dirs.share().resolve("out");
        Path rc = out.resolve(id + ".rc");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(rc)) {
            if (!process.isAlive()) {
                throw failure("QEMU exited (status " + process.exitValue() + ") while running: " + shellCommand);
            }
            if (System.nanoTime() - deadline > 0) {
                kill(id);
                throw new LabException("guest " + name() + ": command timed out after " + timeout.toMillis()
                        + " ms (killed): " + shellCommand + "\n--- stdout so far ---\n"
                        + readOrEmpty(out.resolve(id + ".out")) + "\n--- stderr so far ---\n"
                        + readOrEmpty(out.resolve(id + ".err")));
            }
            sleep(POLL);
        }
        GuestResult result = new GuestResult(readOrEmpty(out.resolve(id + ".out")),
                readOrEmpty(out.resolve(id + ".err")), parseExitCode(readOrEmpty(rc)));
        deleteQuietly(dirs.share().resolve("run").resolve(id + ".sh"));
        for (String ext : List.of(".out", ".err", ".rc", ".pid")) {
            deleteQuietly(out.resolve(id + ext));
        }
        return result;
    }

    /**
     * Starts {@code shellCommand} in the background and returns at once. Its stdout and stderr go to the
     * returned host file in the share; it runs until it ends or the guest stops.
     */
    public Path spawn(String shellCommand) {
        String id = submit("exec 2>&1\n" + shellCommand);
        return dirs.share().resolve("out").resolve(id + ".out");
    }

    /**
     * The command line that starts the host's JVM inside a guest, with flags that keep a small process
     * small and starting fast under TCG. Append class path and arguments.
     */
    public static String javaCommand() {
        return JavaHolder.JAVA + " " + JAVA_FLAGS;
    }

    /** The last lines of the console, for error messages. */
    public String consoleTail() {
        try {
            byte[] bytes = Files.readAllBytes(dirs.consoleLog());
            List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size()));
        } catch (NoSuchFileException e) {
            return "(no console log)";
        } catch (IOException e) {
            return "(console log unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "Guest[" + name() + ", " + spec.vcpus() + " vCPUs, pid " + process.pid() + "]";
    }

    /**
     * Kills this QEMU at once (SIGKILL, as a crash would) and starts a new one with the same spec, sockets and
     * share, so whatever follows the sockets sees a new process with new threads. Does not wait for the boot
     * ({@link #awaitReady}). Commands not yet picked up are dropped; the old ones' output stays in the share.
     */
    Guest relaunch(Path qemu, GuestImage image) {
        doorbell.close();
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(10));
        if (process.isAlive()) {
            throw new LabException("guest " + name() + ": QEMU " + process.pid() + " survived SIGKILL");
        }
        deleteQuietly(dirs.share().resolve("ready"));
        try (var pending = Files.list(dirs.share().resolve("cmd"))) {
            pending.forEach(Guest::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException("could not clear " + dirs.share().resolve("cmd"), e);
        }
        Guest fresh = launch(qemu, spec, image, dirs);
        fresh.commandSeq.set(commandSeq.get()); // the old commands' output files stay readable, none overwritten
        return fresh;
    }

    /** Stops QEMU: QMP quit, then SIGTERM, then SIGKILL, each after a grace period. Never throws. */
    void stop() {
        doorbell.close();
        if (process.isAlive()) {
            try (SocketChannel qmp = SocketChannel.open(UnixDomainSocketAddress.of(dirs.qmpSocket()))) {
                // QEMU drops queued requests when the client hangs up, so stay connected until it exits
                qmp.write(ByteBuffer.wrap("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n"
                        .getBytes(StandardCharsets.US_ASCII)));
                waitForExit(Duration.ofSeconds(3));
            } catch (IOException | RuntimeException e) {
                // QMP busy or gone: the signals below still work
            }
        }
        if (process.isAlive()) {
            process.destroy();
            waitForExit(Duration.ofSeconds(2));
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(10));
        }
    }

    private void waitForExit(Duration d) {
        try {
            process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // keep stopping: leaving QEMU behind is worse than a late interrupt
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private String submit(String shellCommand) {
        if (!process.isAlive()) {
            throw failure("QEMU is not running (status " + process.exitValue() + ")");
        }
        String id = String.format("%06d", commandSeq.incrementAndGet());
        Path cmd = dirs.share().resolve("cmd");
        Path tmp = cmd.resolve("." + id + ".tmp");
        try {
            Files.writeString(tmp, shellCommand + "\n");
            // the runner only picks up *.sh, so it never sees a half-written command
            Files.move(tmp, cmd.resolve(id + ".sh"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not submit a command to guest " + name(), e);
        }
        doorbell.ring();
        return id;
    }

    private void kill(String id) {
        try {
            if (Files.deleteIfExists(dirs.share().resolve("cmd").resolve(id + ".sh"))) {
                return; // never picked up
            }
            if (process.isAlive()) {
                submit("p=$(cat " + GUEST_SHARE + "/out/" + id + ".pid) && kill -9 -$p");
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the guest dies with the lab anyway
        }
    }

    private LabException failure(String what) {
        String qemuOutput = readOrEmpty(dirs.qemuOutput()).strip();
        return new LabException("guest " + name() + ": " + what
                + (qemuOutput.isEmpty() ? "" : "\n--- QEMU output ---\n" + qemuOutput)
                + "\n--- console tail (" + consoleLog() + ") ---\n" + consoleTail());
    }

    private static int parseExitCode(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new LabException("guest runner wrote a malformed exit code: '" + text.strip() + "'");
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover file in a share that is deleted with the lab
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /** The host JVM's java by its real path: the guest sees the host's file system at the same paths. */
    private static final class JavaHolder {
        static final String JAVA = resolve();

        private static String resolve() {
            Path home = Path.of(System.getProperty("java.home"));
            try {
                home = home.toRealPath();
            } catch (IOException e) {
                // keep the unresolved path; the guest may still find it
            }
            return home.resolve("bin").resolve("java").toString();
        }
    }
}
