package io.vcpubal.host.backend.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real QEMU started paused ({@code -S}) with no disk or kernel: its vCPU threads exist (MTTCG creates one
 * per vCPU) and QMP answers, which is all the QMP backend needs. Starts in well under a second.
 */
final class PausedQemu implements AutoCloseable {
    final Process process;
    final Path qmp;

    PausedQemu(Path dir, int vcpus) throws IOException, InterruptedException {
        qmp = dir.resolve("qmp.sock");
        process = new ProcessBuilder(List.of("qemu-system-x86_64", "-S", "-nodefaults", "-display", "none",
                "-accel", "tcg,thread=multi", "-smp", Integer.toString(vcpus), "-m", "64",
                "-qmp", "unix:" + qmp + ",server=on,wait=off"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(qmp)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IOException("QEMU did not create " + qmp + ": " + Files.readString(dir.resolve("qemu.log")));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
