package io.vcpubal.host.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Against real processes: only the kernel's /proc tells a reaped process from a living one through an open file. */
class ProcessLivenessTest {
    private final ProcTasks tasks = new ProcTasks(Path.of("/proc"));

    @Test
    void aLivingProcessIsAliveUntilItIsReaped() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        int pid = (int) p.pid();
        long start = tasks.startTicks(pid).orElseThrow();
        try (ProcessLiveness liveness = new ProcessLiveness(Path.of("/proc"))) {
            assertTrue(liveness.alive(pid, start));
            assertTrue(liveness.alive(pid, start), "asked again: through the open file");
            assertEquals(1, liveness.watched());
            assertFalse(liveness.alive(pid, start + 1), "another start time is another incarnation");
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertFalse(liveness.alive(pid, start), "reaped: the open file answers ESRCH");
            assertEquals(0, liveness.watched(), "a gone process's file is closed");
            assertFalse(liveness.alive(pid, start));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void noSuchProcess() {
        try (ProcessLiveness liveness = new ProcessLiveness(Path.of("/proc"))) {
            assertFalse(liveness.alive(0, 1));
            assertFalse(liveness.alive(Integer.MAX_VALUE, 1));
        }
    }
}
