package io.vcpubal.host.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OSThread;

/**
 * On this machine's real /proc: our reader against OSHI's thread details for one busy thread of this JVM.
 * OSHI's {@code OSThread} has user + kernel time (ms, from /proc/PID/task/TID/stat in USER_HZ ticks) but no
 * run-queue wait; both views of run time must agree within a few ticks.
 */
class SchedstatVsOshiTest {
    @Test
    void runTimeAgreesWithOshisThreadDetails() throws Exception {
        long pid = ProcessHandle.current().pid();
        assumeTrue(Files.exists(Path.of("/proc/self/schedstat")), "kernel without schedstats");
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread burner = new Thread(() -> {
            // 300 ms of its own CPU time, however busy the machine (wall time would be less on a shared host)
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long giveUp = System.nanoTime() + 20_000_000_000L;
            while (mx.getCurrentThreadCpuTime() < 300_000_000L && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            burnt.countDown();
            try {
                release.await(); // stays a task of this JVM while both read it, using no CPU
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "acct-burner");
        burner.setDaemon(true);
        burner.start();
        try {
            burnt.await();
            int tid = tidNamed((int) pid, "acct-burner");
            TaskSchedstat ours = new SchedstatReader(Path.of("/")).read((int) pid, tid).orElseThrow();
            OSProcess self = new SystemInfo().getOperatingSystem().getProcess((int) pid);
            OSThread theirs = self.getThreadDetails().stream().filter(t -> t.getThreadId() == tid).findFirst()
                    .orElseThrow();
            TaskSchedstat after = new SchedstatReader(Path.of("/")).read((int) pid, tid).orElseThrow();
            long oshiMs = theirs.getUserTime() + theirs.getKernelTime();
            assertTrue(ours.runNs() >= 250_000_000L, "it burnt ~300 ms: " + ours);
            // ticks are 10 ms; OSHI reads between our two reads, the thread sleeps meanwhile
            assertTrue(oshiMs >= ours.runNs() / 1_000_000 - 30 && oshiMs <= after.runNs() / 1_000_000 + 30,
                    "OSHI " + oshiMs + " ms, schedstat " + ours.runNs() / 1_000_000 + ".." + after.runNs() / 1_000_000
                            + " ms");
            assertEquals(tid, theirs.getThreadId());
        } finally {
            release.countDown();
        }
    }

    /** Java 17 has no thread to tid call: the task whose comm is the thread's name. */
    private static int tidNamed(int pid, String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            List<Path> all = tasks.toList();
            for (Path t : all) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                        return Integer.parseInt(t.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        throw new IllegalStateException("no task named " + name);
    }
}
