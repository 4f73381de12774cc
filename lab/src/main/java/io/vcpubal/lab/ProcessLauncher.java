package io.vcpubal.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts QEMU so that it cannot outlive this JVM, even on SIGKILL (where no shutdown hook runs): it is
 * started through {@code setpriv --pdeathsig KILL}. The kernel sends that signal when the <em>thread</em>
 * that forked the child ends, so every start happens on one thread that lives as long as the JVM.
 */
final class ProcessLauncher {
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vcpubal-lab-launcher");
        t.setDaemon(true);
        return t;
    });

    private ProcessLauncher() {
    }

    /** The command prefixed with setpriv when the host has it (util-linux, essential on Debian). */
    static List<String> withParentDeathSignal(List<String> command, Optional<Path> setpriv) {
        if (setpriv.isEmpty()) {
            return command;
        }
        List<String> c = new ArrayList<>();
        c.addAll(List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--"));
        c.addAll(command);
        return c;
    }

    static Process start(ProcessBuilder pb) {
        pb.command(withParentDeathSignal(pb.command(), HostTool.SETPRIV.find()));
        // submit() wraps failures in the Future, so the launcher thread itself never dies
        Future<Process> f = LAUNCHER.submit(pb::start);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the start may still complete; the caller's cleanup cannot see it, but pdeathsig cannot apply
            // either, so wait for it uninterruptibly and kill it
            killWhenStarted(f);
            throw new LabException("interrupted while starting " + pb.command().get(0), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("could not start " + String.join(" ", pb.command()), io);
            }
            throw new LabException("could not start " + String.join(" ", pb.command()), cause);
        }
    }

    private static void killWhenStarted(Future<Process> f) {
        Thread t = new Thread(() -> {
            try {
                f.get().destroyForcibly();
            } catch (InterruptedException | ExecutionException ignored) {
                // nothing started, nothing to kill
            }
        }, "vcpubal-lab-launch-cleanup");
        t.setDaemon(true);
        t.start();
    }
}
