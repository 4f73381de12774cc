package io.vcpubal.guest.policy.systemd;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code systemctl}: the documented interface to the manager's unit properties (set-property writes the
 * runtime drop-ins systemd itself keeps, so nothing is changed behind its back). Tests replay recorded output.
 */
@FunctionalInterface
public interface Systemctl {
    /** Most a call may print that is kept: show of a few properties is a few hundred bytes. */
    int MAX_OUTPUT_BYTES = 64 * 1024;

    /**
     * Runs {@code systemctl ARGS} and returns its standard output.
     *
     * @throws IOException when it cannot run, fails (the message is its first line of standard error) or
     *     misses its deadline (it is killed)
     */
    String run(List<String> args) throws IOException;

    /** The real one, found on the PATH, each call bounded by {@code deadline}. */
    static Systemctl process(Duration deadline) {
        return args -> {
            List<String> command = new ArrayList<>();
            command.add("systemctl");
            command.addAll(args);
            String what = String.join(" ", command);
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            // Both streams read aside, so a systemctl that hangs with its pipes open still meets the deadline.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try {
                if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(what + " did not finish within " + deadline.toMillis() + " ms");
                }
                if (p.exitValue() != 0) {
                    String e = err.get(1, TimeUnit.SECONDS).strip();
                    throw new IOException(what + " failed (exit " + p.exitValue() + ")"
                            + (e.isEmpty() ? "" : ": " + e.lines().findFirst().orElse("")));
                }
                return out.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + what + " ran", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException(what + ": its output was not read: " + e, e);
            }
        };
    }

    private static String read(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(MAX_OUTPUT_BYTES);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
