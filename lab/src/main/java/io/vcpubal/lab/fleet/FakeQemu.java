package io.vcpubal.lab.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * One simulated QEMU process ({@code fake-qemu.c}): its own pid, {@code vcpus} real idle threads, and a QMP
 * socket that reports their thread ids. A process per VM, as on a real host, so the daemon's peer-credential
 * and task checks and its emulator-thread pins see exactly one VM each.
 */
public final class FakeQemu implements AutoCloseable {
    private static final String SOURCE = "fake-qemu.c";

    private final Process process;
    private final Path qmpSocket;

    private FakeQemu(Process process, Path qmpSocket) {
        this.process = process;
        this.qmpSocket = qmpSocket;
    }

    /** Starts one; returns once its QMP socket is there. Its output goes to {@code log}. */
    public static FakeQemu start(Path binary, Path qmpSocket, int vcpus, Path log) throws IOException {
        Process p = new ProcessBuilder(binary.toString(), qmpSocket.toString(), Integer.toString(vcpus))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(qmpSocket)) {
            if (!p.isAlive()) {
                throw new IOException("fake-qemu for " + qmpSocket + " exited with " + p.exitValue() + " (see " + log + ")");
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("fake-qemu for " + qmpSocket + " did not listen within 10 s");
            }
            sleepMs(2);
        }
        return new FakeQemu(p, qmpSocket);
    }

    public long pid() {
        return process.pid();
    }

    public Path qmpSocket() {
        return qmpSocket;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Closing its standard input ends it (it exits on EOF); a kill if it does not. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    /**
     * The compiled simulator in {@code cacheDir}, built with the system's {@code cc} when the cache lacks the
     * build of this exact source (its hash is in the file name).
     */
    public static Path binary(Path cacheDir) throws IOException {
        byte[] source;
        try (InputStream in = FakeQemu.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException(SOURCE + " is missing from the lab's resources");
            }
            source = in.readAllBytes();
        }
        Path bin = cacheDir.resolve("fleet").resolve("fake-qemu-" + sha256(source).substring(0, 16));
        if (Files.isExecutable(bin)) {
            return bin;
        }
        Files.createDirectories(bin.getParent());
        Path src = Files.createTempFile(bin.getParent(), "fake-qemu", ".c");
        Path tmp = bin.resolveSibling(bin.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            Files.write(src, source);
            Process cc = new ProcessBuilder("cc", "-O2", "-o", tmp.toString(), src.toString(), "-lpthread")
                    .redirectErrorStream(true).start();
            String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cc.waitFor() != 0) {
                throw new IOException("cannot compile " + SOURCE + " (is a C compiler installed? tools/prerequisites.sh"
                        + " installs gcc):\n" + out);
            }
            Files.move(tmp, bin, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return bin;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling " + SOURCE, e);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(tmp);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
