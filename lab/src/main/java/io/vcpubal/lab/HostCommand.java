package io.vcpubal.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived host tool (apt, dpkg, depmod, ...) and fails with its output if it fails. */
public final class HostCommand {
    private static final long TIMEOUT_MINUTES = 15;

    private HostCommand() {
    }

    /** Runs {@code tool args} in {@code dir}; returns stdout lines; stderr goes into the error message. */
    public static List<String> run(Path dir, HostTool tool, String... args) {
        List<String> command = new ArrayList<>();
        command.add(tool.require().toString());
        command.addAll(List.of(args));
        return run(dir, command, null, null);
    }

    /**
     * Runs a command with optional stdin/stdout files. Output not redirected is captured (stderr into a
     * temporary file, so a chatty tool cannot block on a full pipe).
     */
    public static List<String> run(Path dir, List<String> command, Path stdin, Path stdout) {
        Path err = null;
        Path captured = null;
        try {
            err = Files.createTempFile("vcpubal-lab-", ".err");
            captured = stdout == null ? Files.createTempFile("vcpubal-lab-", ".out") : null;
            Path out = captured != null ? captured : stdout;
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("LC_ALL", "C");
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new LabException("timed out after " + TIMEOUT_MINUTES + " min: " + String.join(" ", command));
            }
            String errText = Files.readString(err, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new LabException("failed (exit " + p.exitValue() + "): " + String.join(" ", command)
                        + (errText.isEmpty() ? "" : "\n" + errText));
            }
            return captured == null ? List.of() : Files.readAllLines(captured, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(err);
            deleteQuietly(captured);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
