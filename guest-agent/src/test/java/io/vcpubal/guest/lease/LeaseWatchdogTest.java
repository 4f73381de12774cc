package io.vcpubal.guest.lease;

import io.vcpubal.guest.testing.FakeClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.BalloonRequest;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog on a real scheduler. The lease's clock is fake, so the scheduled check for a 60 s lease
 * would not run during the test; advancing the clock and rescheduling makes it due at once. The latch
 * timeout only bounds a hung test, it is not a timing assertion.
 */
class LeaseWatchdogTest {

    @TempDir
    Path root;

    final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void restoresWhenTheDeadlinePasses() throws Exception {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        FakeClock clock = new FakeClock();
        CountDownLatch expired = new CountDownLatch(1);
        BalloonLease lease = new BalloonLease(new VcpuBalloon(new CpuSysfs(root), BalloonPolicy.DEFAULT), clock,
                expiry -> expired.countDown());
        try (LeaseWatchdog watchdog = new LeaseWatchdog(lease, executor)) {
            watchdog.start();
            lease.apply(BalloonRequest.count(1, 60_000));
            assertEquals(CpuSet.parse("0"), SysfsFixture.onlineCpus(root));

            clock.advanceMillis(60_000);
            watchdog.reschedule();
            assertTrue(expired.await(30, TimeUnit.SECONDS), "the watchdog ran the expiry");
            assertEquals(CpuSet.parse("0-3"), SysfsFixture.onlineCpus(root));
        }
    }

    @Test
    void closingStopsFurtherChecks() throws Exception {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        FakeClock clock = new FakeClock();
        BalloonLease lease = new BalloonLease(new VcpuBalloon(new CpuSysfs(root), BalloonPolicy.DEFAULT), clock);
        LeaseWatchdog watchdog = new LeaseWatchdog(lease, executor);
        watchdog.start();
        lease.apply(BalloonRequest.count(1, 60_000));
        watchdog.close();
        clock.advanceMillis(60_000);
        watchdog.reschedule();
        // Run a no-op through the single thread: had a check been scheduled at delay 0 it would run first.
        executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
        executor.schedule(() -> { }, 0, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
        assertEquals(CpuSet.parse("0"), SysfsFixture.onlineCpus(root));
        assertEquals(0, lease.expiryCount());
    }
}
