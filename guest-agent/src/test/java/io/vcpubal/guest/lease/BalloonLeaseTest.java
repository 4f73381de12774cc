package io.vcpubal.guest.lease;

import io.vcpubal.guest.testing.FakeClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.BalloonRequest;
import io.vcpubal.guest.balloon.BalloonResult;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lease behaviour on a 4-vCPU fixture tree with a clock that only the test moves. */
class BalloonLeaseTest {

    @TempDir
    Path root;

    final FakeClock clock = new FakeClock();
    final List<LeaseExpiry> callbacks = new ArrayList<>();
    final List<String> writes = new ArrayList<>();
    BalloonLease lease;

    @BeforeEach
    void fourCpusAllOnline() throws IOException {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        lease = lease(SysfsFixture.recording(writes));
    }

    BalloonLease lease(CpuSysfs.OnlineWriter writer) {
        VcpuBalloon balloon = new VcpuBalloon(new CpuSysfs(root, writer), BalloonPolicy.DEFAULT);
        return new BalloonLease(balloon, clock, callbacks::add);
    }

    CpuSet online() throws IOException {
        return SysfsFixture.onlineCpus(root);
    }

    @Test
    void anUnrenewedShrinkIsUndoneAtTheDeadlineAndReportedOnce() throws IOException {
        Instant start = clock.instant();
        assertTrue(lease.apply(BalloonRequest.count(2, 1000)).succeeded());
        assertEquals(Optional.of(start.plusMillis(1000)), lease.deadline());
        assertEquals(OptionalLong.of(1000), lease.millisUntilExpiry());

        clock.advanceMillis(999);
        assertEquals(Optional.empty(), lease.expireIfDue());
        assertEquals(CpuSet.parse("0-1"), online());

        clock.advanceMillis(1);
        LeaseExpiry expiry = lease.expireIfDue().orElseThrow();
        assertEquals(start.plusMillis(1000), expiry.deadline());
        assertEquals(CpuSet.parse("0-3"), expiry.restore().online());
        assertEquals(CpuSet.parse("0-3"), online());
        assertEquals(List.of(expiry), callbacks);
        assertEquals(Optional.empty(), lease.deadline(), "a full restore drops the lease");

        assertEquals(Optional.of(expiry), lease.takeUnreportedExpiry());
        assertEquals(Optional.empty(), lease.takeUnreportedExpiry(), "reported once");
        assertEquals(1, lease.expiryCount());
        assertEquals(Optional.empty(), lease.expireIfDue(), "nothing left to expire");
    }

    @Test
    void renewalExtendsFromNow() throws IOException {
        lease.apply(BalloonRequest.count(2, 1000));
        clock.advanceMillis(800);
        assertTrue(lease.renew(1000));
        clock.advanceMillis(999);
        assertEquals(Optional.empty(), lease.expireIfDue());
        assertEquals(CpuSet.parse("0-1"), online());
        clock.advanceMillis(1);
        assertTrue(lease.expireIfDue().isPresent());
        assertEquals(CpuSet.parse("0-3"), online());
    }

    @Test
    void aShrinkArrivingAfterTheStopRestoreIsRefusedAndChangesNothing() throws IOException {
        lease.apply(BalloonRequest.count(1, 1000));
        assertEquals(CpuSet.parse("0-3"), lease.restoreAllAndStop().online());
        assertEquals(Optional.empty(), lease.deadline());
        writes.clear();

        BalloonResult late = lease.apply(BalloonRequest.count(1, 1000));
        assertEquals(BalloonResult.Status.REFUSED, late.status());
        assertTrue(late.message().contains("stopping"), late.message());
        assertEquals(CpuSet.parse("0-3"), online(), "the guest stays whole after the agent's last restore");
        assertEquals(List.of(), writes);
        assertEquals(Optional.empty(), lease.deadline(), "a refused shrink arms no lease");
    }

    @Test
    void aLateRenewalFailsAndRestoresAtOnce() throws IOException {
        lease.apply(BalloonRequest.count(1, 1000));
        clock.advanceMillis(1000);
        assertFalse(lease.renew(1000));
        assertEquals(CpuSet.parse("0-3"), online());
        assertEquals(1, callbacks.size());
        assertTrue(lease.takeUnreportedExpiry().isPresent());
    }

    @Test
    void thereIsNothingToRenewWithoutAShrink() {
        assertFalse(lease.renew(1000));
        assertEquals(0, lease.expiryCount());
        assertThrows(IllegalArgumentException.class, () -> lease.renew(0));
        assertThrows(IllegalArgumentException.class, () -> lease.renew(999));
        assertThrows(IllegalArgumentException.class, () -> lease.renew(BalloonPolicy.DEFAULT_MAX_LEASE_MILLIS + 1));
    }

    @Test
    void growingBackToAllCpusDropsTheLease() throws IOException {
        lease.apply(BalloonRequest.count(2, 1000));
        lease.apply(BalloonRequest.count(4, 0));
        assertEquals(Optional.empty(), lease.deadline());
        clock.advanceMillis(10_000);
        assertEquals(Optional.empty(), lease.expireIfDue());
        assertEquals(List.of("cpu3=0", "cpu2=0", "cpu2=1", "cpu3=1"), writes, "no restore writes");
    }

    @Test
    void aFurtherShrinkRearmsWithItsOwnLease() {
        lease.apply(BalloonRequest.count(3, 1000));
        clock.advanceMillis(500);
        lease.apply(BalloonRequest.count(2, 5000));
        assertEquals(OptionalLong.of(5000), lease.millisUntilExpiry());
    }

    @Test
    void aRefusalLeavesTheLeaseAlone() {
        lease.apply(BalloonRequest.count(2, 1000));
        Optional<Instant> deadline = lease.deadline();
        clock.advanceMillis(300);
        assertEquals(BalloonResult.Status.REFUSED, lease.apply(BalloonRequest.count(0, 1000)).status());
        assertEquals(deadline, lease.deadline());
    }

    @Test
    void aRolledBackShrinkArmsNoLease() {
        BalloonLease failing = lease((file, value) -> {
            throw new IOException("Device or resource busy");
        });
        assertEquals(BalloonResult.Status.ROLLED_BACK, failing.apply(BalloonRequest.count(2, 1000)).status());
        assertEquals(Optional.empty(), failing.deadline());
    }

    @Test
    void aHalfFailedChangeIsGuardedEvenWithoutAPreviousLease() throws IOException {
        // cpu2 refuses to go offline and cpu3 refuses to come back once (the rollback): cpu3 stays offline.
        AtomicInteger cpu3Onlines = new AtomicInteger();
        BalloonLease failing = lease((file, value) -> {
            String cpu = file.getParent().getFileName().toString();
            boolean cpu3FirstOnline = cpu.equals("cpu3") && value.equals("1") && cpu3Onlines.incrementAndGet() == 1;
            if ((cpu.equals("cpu2") && value.equals("0")) || cpu3FirstOnline) {
                throw new IOException("Device or resource busy");
            }
            CpuSysfs.FILE_WRITER.write(file, value);
        });
        BalloonResult result = failing.apply(BalloonRequest.count(1, 1000));
        assertEquals(BalloonResult.Status.FAILED, result.status(), result::toString);
        assertEquals(OptionalLong.of(1000), failing.millisUntilExpiry());
        clock.advanceMillis(1000);
        assertTrue(failing.expireIfDue().orElseThrow().restore().succeeded());
        assertEquals(CpuSet.parse("0-3"), online());
    }

    @Test
    void anIncompleteRestoreIsRetried() throws IOException {
        AtomicInteger cpu3Attempts = new AtomicInteger();
        BalloonLease flaky = lease((file, value) -> {
            if (file.getParent().getFileName().toString().equals("cpu3") && value.equals("1")
                    && cpu3Attempts.incrementAndGet() == 1) {
                throw new IOException("Device or resource busy");
            }
            CpuSysfs.FILE_WRITER.write(file, value);
        });
        flaky.apply(BalloonRequest.count(2, 1000));
        clock.advanceMillis(1000);
        LeaseExpiry first = flaky.expireIfDue().orElseThrow();
        assertEquals(BalloonResult.Status.FAILED, first.restore().status());
        assertEquals(CpuSet.parse("0-2"), online());
        assertEquals(OptionalLong.of(BalloonLease.RESTORE_RETRY.toMillis()), flaky.millisUntilExpiry());

        clock.advanceMillis(BalloonLease.RESTORE_RETRY.toMillis());
        assertTrue(flaky.expireIfDue().orElseThrow().restore().succeeded());
        assertEquals(CpuSet.parse("0-3"), online());
        assertEquals(Optional.empty(), flaky.deadline());
        assertEquals(2, flaky.expiryCount());
    }

    @Test
    void restoreAllOnShutdownOnlinesEverythingAndDropsTheLease() throws IOException {
        lease.apply(BalloonRequest.count(1, 60_000));
        assertEquals(CpuSet.parse("0"), online());
        BalloonResult result = lease.restoreAll();
        assertTrue(result.succeeded());
        assertEquals(CpuSet.parse("0-3"), online());
        assertEquals(Optional.empty(), lease.deadline());
        assertEquals(Optional.empty(), lease.takeUnreportedExpiry(), "a shutdown is not an expiry");
    }

    @Test
    void theDeadlineListenerHearsEveryChange() {
        AtomicInteger calls = new AtomicInteger();
        lease.setDeadlineListener(calls::incrementAndGet);
        lease.apply(BalloonRequest.count(2, 1000));
        lease.renew(1000);
        lease.restoreAll();
        assertEquals(3, calls.get());
    }
}
