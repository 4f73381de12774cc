package io.vcpubal.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmContentionReporterTest {
    @TempDir
    Path dir;

    @Test
    void countsAThreadBlockedOnAMonitor() throws Exception {
        try (CpuCountWatcher w = CpuCountWatcher.start(dir.resolve("absent.sock"), Duration.ofSeconds(5), () -> 1);
             JvmContentionReporter r = JvmContentionReporter.start(w, 3_600_000)) {
            r.sampleDelta();
            Object lock = new Object();
            CountDownLatch started = new CountDownLatch(1);
            Thread t;
            long[] d;
            synchronized (lock) {
                t = new Thread(() -> {
                    started.countDown();
                    synchronized (lock) {
                        lock.hashCode();
                    }
                });
                t.start();
                started.await();
                while (t.getState() != Thread.State.BLOCKED) {
                    Thread.sleep(1);
                }
                // Sample while the thread is alive and blocked: threads that exit between samples are not seen.
                d = r.sampleDelta();
            }
            t.join();
            assertTrue(d[0] >= 1, "blocked count " + d[0]);
        }
    }
}
