package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Boots real QEMU guests (TCG) and runs commands in them; see LAB-FACTS.md for the host set-up. */
class LabBootIT {
    private static final Duration CMD = Duration.ofSeconds(60);

    @Test
    void bootsARealGuestRunsCommandsAndTearsDown() throws IOException {
        long t0 = System.nanoTime();
        Process qemu;
        Path runDir;
        long c0;
        try (Lab lab = Lab.start(GuestSpec.of("g1", 2))) {
            Guest g = lab.guest("g1");
            qemu = g.process();
            runDir = lab.runDir();
            System.out.printf("LabBootIT: boot-to-ready %.1f s (lab start incl. image check %.1f s)%n",
                    g.bootToReady().toMillis() / 1e3, (System.nanoTime() - t0) / 1e9);
            assertTrue(runDir.toString().startsWith("/tmp/vcpubal-lab-"), runDir.toString());
            assertTrue(Files.exists(g.qmpSocket()) && Files.exists(g.agentSocket()), "QEMU created its sockets");

            // the runner (PID 1) listens on the doorbell port, so commands need not wait for its idle scan
            assertTrue(g.exec("readlink /proc/1/fd/4", CMD).requireOk().stdout().startsWith("/dev/vport"));

            assertEquals("0-1", g.exec("cat /sys/devices/system/cpu/online", CMD).requireOk().stdout().strip());
            assertEquals("0", g.exec("echo 0 > /sys/devices/system/cpu/cpu1/online && cat /sys/devices/system/cpu/online",
                    CMD).requireOk().stdout().strip());

            long j0 = System.nanoTime();
            GuestResult java = g.exec(Guest.javaCommand() + " -version", Duration.ofSeconds(120));
            System.out.printf("LabBootIT: java -version in the guest %.1f s%n", (System.nanoTime() - j0) / 1e9);
            assertEquals(0, java.exitCode(), java.stderr());
            assertTrue(java.stderr().contains("openjdk version \"17"), java.stderr());

            GuestResult mixed = g.exec("echo out; echo err >&2; exit 3", CMD);
            assertEquals(new GuestResult("out\n", "err\n", 3), mixed);
            assertThrows(LabException.class, mixed::requireOk);

            LabException timeout = assertThrows(LabException.class, () -> g.exec("echo started; sleep 600", Duration.ofSeconds(2)));
            assertTrue(timeout.getMessage().contains("timed out"), timeout.getMessage());
            // the timed-out command's session was killed: no sleep 600 survives
            awaitOutput(g, "pgrep -f 'sleep 600' || echo none", "none");

            Path log = g.spawn("echo spawned; echo to-log >&2; sleep 600");
            awaitFile(log, "spawned\nto-log\n");
            assertEquals("1", g.exec("pgrep -fc 'sleep 600'", CMD).stdout().strip(), "spawned command still runs");
            c0 = System.nanoTime();
        }
        System.out.printf("LabBootIT: close() %.1f s%n", (System.nanoTime() - c0) / 1e9);
        assertFalse(qemu.isAlive(), "QEMU must be dead after close()");
        assertFalse(Files.exists(runDir), "run directory must be deleted");
        System.out.printf("LabBootIT: whole test %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void bootFailureReportsTheConsoleAndCleansUp() {
        // a later -append wins: an init that does not exist makes the kernel panic, and QEMU exits
        GuestSpec broken = GuestSpec.of("bad", 1).withExtraQemuArgs("-append", "console=ttyS0 panic=-1 rdinit=/no-such-init");
        LabException e = assertThrows(LabException.class, () -> Lab.start(broken));
        assertTrue(e.getMessage().contains("QEMU exited"), e.getMessage());
        assertTrue(e.getMessage().contains("Kernel panic"), "console tail expected in:\n" + e.getMessage());
    }

    @Test
    void qemuErrorsAreReported() {
        GuestSpec broken = GuestSpec.of("bad", 1).withExtraQemuArgs("-device", "no-such-device");
        LabException e = assertThrows(LabException.class, () -> Lab.start(broken));
        assertTrue(e.getMessage().contains("no-such-device"), e.getMessage());
    }

    private static void awaitOutput(Guest g, String command, String expected) {
        String last = null;
        for (int i = 0; i < 20; i++) {
            last = g.exec(command, CMD).stdout().strip();
            if (last.equals(expected)) {
                return;
            }
        }
        assertEquals(expected, last, command);
    }

    private static void awaitFile(Path file, String expected) throws IOException {
        long deadline = System.nanoTime() + CMD.toNanos();
        String content = "";
        while (System.nanoTime() < deadline) {
            content = Files.exists(file) ? Files.readString(file) : "";
            if (content.equals(expected)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
        assertEquals(expected, content, file.toString());
    }
}
