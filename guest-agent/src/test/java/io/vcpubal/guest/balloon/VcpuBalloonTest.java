package io.vcpubal.guest.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonResult.Status;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The balloon on writable fixture sysfs trees shaped like a 4-vCPU x86 guest (cpu0 has no online file). */
class VcpuBalloonTest {

    @TempDir
    Path root;

    final List<String> writes = new ArrayList<>();

    VcpuBalloon balloon(String online, BalloonPolicy policy) throws IOException {
        return balloon(online, policy, SysfsFixture.recording(writes));
    }

    VcpuBalloon balloon(String online, BalloonPolicy policy, CpuSysfs.OnlineWriter writer) throws IOException {
        SysfsFixture.create(root, "0-3", online, CpuSet.of(0));
        AtomicLong fakeNanos = new AtomicLong();
        // Each read of the clock advances it by 7 us, so elapsedMicros is exact.
        return new VcpuBalloon(new CpuSysfs(root, writer), policy, () -> fakeNanos.getAndAdd(7_000));
    }

    /** Records every write; throws the given errno text (as the JDK does) for the listed "cpuN=V" writes. */
    CpuSysfs.OnlineWriter failing(Set<String> failingWrites, String strerror) {
        CpuSysfs.OnlineWriter real = SysfsFixture.recording(writes);
        return (file, value) -> {
            String write = file.getParent().getFileName() + "=" + value;
            if (failingWrites.contains(write)) {
                writes.add(write + " failed");
                throw new IOException(strerror);
            }
            real.write(file, value);
        };
    }

    @Test
    void shrinkByCountOfflinesTheHighestFirst() throws IOException {
        BalloonResult result = balloon("0-3", BalloonPolicy.DEFAULT).apply(BalloonRequest.count(2, 5000));
        assertEquals(Status.APPLIED, result.status(), result::toString);
        assertEquals(CpuSet.parse("0-1"), result.online());
        assertEquals(CpuSet.parse("0-3"), result.before());
        assertEquals(CpuSet.parse("2-3"), result.restorable());
        assertEquals(List.of("cpu3=0", "cpu2=0"), writes);
        assertEquals(CpuSet.parse("0-1"), SysfsFixture.onlineCpus(root));
        assertEquals(Map.of(), result.cpuErrors());
        assertEquals(7, result.elapsedMicros());
        assertEquals("online 0-1 (was 0-3)", result.message());
    }

    @Test
    void growByCountOnlinesTheLowestFirst() throws IOException {
        BalloonResult result = balloon("0", BalloonPolicy.DEFAULT).apply(BalloonRequest.count(3, 5000));
        assertEquals(Status.APPLIED, result.status(), result::toString);
        assertEquals(CpuSet.parse("0-2"), result.online());
        assertEquals(List.of("cpu1=1", "cpu2=1"), writes);
        assertEquals(CpuSet.parse("3"), result.restorable());
    }

    @Test
    void anUnchangedCountWritesNothing() throws IOException {
        BalloonResult result = balloon("0-1", BalloonPolicy.DEFAULT).apply(BalloonRequest.count(2, 5000));
        assertEquals(Status.APPLIED, result.status());
        assertEquals("unchanged, online 0-1", result.message());
        assertEquals(List.of(), writes);
    }

    @Test
    void anExplicitSetOnlinesFirstThenOfflinesDescending() throws IOException {
        BalloonResult result = balloon("0-1", BalloonPolicy.DEFAULT)
                .apply(BalloonRequest.cpus(CpuSet.parse("0,2-3"), 5000));
        assertEquals(Status.APPLIED, result.status(), result::toString);
        assertEquals(List.of("cpu2=1", "cpu3=1", "cpu1=0"), writes);
        assertEquals(CpuSet.parse("0,2-3"), SysfsFixture.onlineCpus(root));
    }

    @Test
    void refusesToOfflineCpu0AndChangesNothing() throws IOException {
        BalloonResult result = balloon("0-3", BalloonPolicy.DEFAULT)
                .apply(BalloonRequest.cpus(CpuSet.parse("1-3"), 5000));
        assertEquals(Status.REFUSED, result.status());
        assertEquals("refused set \"1-3\": cannot set online CPUs to \"1-3\": cpu0 is never offlined", result.message());
        assertEquals(CpuSet.parse("0-3"), result.online());
        assertEquals(List.of(), writes);
        assertEquals(CpuSet.parse("0-3"), SysfsFixture.onlineCpus(root));
    }

    @Test
    void refusesToGoBelowTheFloor() throws IOException {
        BalloonResult result = balloon("0-3", new BalloonPolicy(3, CpuSet.empty())).apply(BalloonRequest.count(2, 5000));
        assertEquals(Status.REFUSED, result.status());
        assertTrue(result.message().contains("below the floor of 3"), result.message());
        assertEquals(List.of(), writes);
    }

    @Test
    void neverTouchesProtectedCpus() throws IOException {
        VcpuBalloon balloon = balloon("0-3", new BalloonPolicy(1, CpuSet.of(3)));
        BalloonResult shrink = balloon.apply(BalloonRequest.count(2, 5000));
        assertEquals(CpuSet.parse("0,3"), shrink.online());
        assertEquals(List.of("cpu2=0", "cpu1=0"), writes);

        BalloonResult refused = balloon.apply(BalloonRequest.cpus(CpuSet.parse("0-2"), 5000));
        assertEquals(Status.REFUSED, refused.status());
        assertTrue(refused.message().contains("cpu3 is protected"), refused.message());
        assertEquals(CpuSet.parse("0,3"), refused.online());
        assertEquals(List.of("cpu2=0", "cpu1=0"), writes);
    }

    @Test
    void aShrinkWithoutLeaseIsRefused() throws IOException {
        BalloonResult result = balloon("0-3", BalloonPolicy.DEFAULT).apply(BalloonRequest.count(1, 0));
        assertEquals(Status.REFUSED, result.status());
        assertTrue(result.message().contains("needs a lease"), result.message());
        assertEquals(List.of(), writes);
    }

    @Test
    void aFailedOfflineRollsBackAndReportsTheErrno() throws IOException {
        VcpuBalloon balloon = balloon("0-3", BalloonPolicy.DEFAULT, failing(Set.of("cpu2=0"), "Device or resource busy"));
        BalloonResult result = balloon.apply(BalloonRequest.count(1, 5000));
        assertEquals(Status.ROLLED_BACK, result.status(), result::toString);
        assertEquals(CpuSet.parse("0-3"), result.online());
        assertEquals(Map.of(2, "EBUSY: Device or resource busy"), result.cpuErrors());
        assertEquals("offlining cpu2 failed (EBUSY: Device or resource busy); rolled back to 0-3", result.message());
        // cpu3 went offline, cpu2 failed, cpu3 came back; cpu1 was never tried.
        assertEquals(List.of("cpu3=0", "cpu2=0 failed", "cpu3=1"), writes);
        assertEquals(CpuSet.parse("0-3"), SysfsFixture.onlineCpus(root));
        assertTrue(result.restorable().isEmpty());
    }

    @Test
    void aFailedOnlineRollsBackTheCpusAlreadyOnlined() throws IOException {
        VcpuBalloon balloon = balloon("0", BalloonPolicy.DEFAULT, failing(Set.of("cpu3=1"), "Invalid argument"));
        BalloonResult result = balloon.apply(BalloonRequest.count(4, 0));
        assertEquals(Status.ROLLED_BACK, result.status(), result::toString);
        assertEquals(Map.of(3, "EINVAL: Invalid argument"), result.cpuErrors());
        assertEquals(List.of("cpu1=1", "cpu2=1", "cpu3=1 failed", "cpu2=0", "cpu1=0"), writes);
        assertEquals(CpuSet.parse("0"), SysfsFixture.onlineCpus(root));
    }

    @Test
    void aWriteThatDoesNotTakeEffectIsCaughtByTheReRead() throws IOException {
        // cpu2 ignores writes, as when the kernel reports success but the CPU stays up.
        CpuSysfs.OnlineWriter real = SysfsFixture.recording(writes);
        CpuSysfs.OnlineWriter ignoresCpu2 = (file, value) -> {
            if (!file.getParent().getFileName().toString().equals("cpu2")) {
                real.write(file, value);
            }
        };
        BalloonResult result = balloon("0-3", BalloonPolicy.DEFAULT, ignoresCpu2).apply(BalloonRequest.count(2, 5000));
        assertEquals(Status.ROLLED_BACK, result.status(), result::toString);
        assertEquals(Map.of(2, "EIO: cpu2 still online after writing 0"), result.cpuErrors());
        assertEquals(CpuSet.parse("0-3"), SysfsFixture.onlineCpus(root));
    }

    @Test
    void aFailedRollbackIsReportedWithTheResultingSet() throws IOException {
        VcpuBalloon balloon = balloon("0-3", BalloonPolicy.DEFAULT,
                failing(Set.of("cpu2=0", "cpu3=1"), "Device or resource busy"));
        BalloonResult result = balloon.apply(BalloonRequest.count(1, 5000));
        assertEquals(Status.FAILED, result.status(), result::toString);
        assertEquals(CpuSet.parse("0-2"), result.online());
        assertEquals(Map.of(2, "EBUSY: Device or resource busy", 3, "rollback: EBUSY: Device or resource busy"),
                result.cpuErrors());
        assertEquals(CpuSet.parse("3"), result.restorable());
        assertTrue(result.message().contains("rollback incomplete, online now 0-2"), result.message());
    }

    @Test
    void anUnreadableCpuFailsBeforeAnyWrite() throws IOException {
        VcpuBalloon balloon = balloon("0-3", BalloonPolicy.DEFAULT);
        // A directory where cpu3/online should be: reading it fails with EISDIR.
        Path online3 = root.resolve("sys/devices/system/cpu/cpu3/online");
        Files.delete(online3);
        Files.createDirectory(online3);
        BalloonResult result = balloon.apply(BalloonRequest.count(1, 5000));
        assertEquals(Status.FAILED, result.status());
        assertEquals("cannot read CPU state: EISDIR: Is a directory", result.message());
        assertEquals(CpuSet.parse("0-3"), result.online(), "falls back on the kernel's online file");
        assertEquals(List.of(), writes);
    }

    @Test
    void restoreAllOnlinesEveryUnprotectedCpuBestEffort() throws IOException {
        SysfsFixture.create(root, "0-5", "0", CpuSet.of(0));
        CpuSysfs.OnlineWriter writer = failing(Set.of("cpu2=1"), "Device or resource busy");
        VcpuBalloon balloon = new VcpuBalloon(new CpuSysfs(root, writer), new BalloonPolicy(1, CpuSet.of(5)));
        BalloonResult result = balloon.restoreAll();
        assertEquals(Status.FAILED, result.status(), result::toString);
        assertEquals(List.of("cpu1=1", "cpu2=1 failed", "cpu3=1", "cpu4=1"), writes);
        assertEquals(CpuSet.parse("0-1,3-4"), result.online());
        assertEquals(CpuSet.parse("2"), result.restorable());
        assertEquals(Map.of(2, "EBUSY: Device or resource busy"), result.cpuErrors());
    }

    @Test
    void restoreAllOnAFullGuestWritesNothing() throws IOException {
        BalloonResult result = balloon("0-3", BalloonPolicy.DEFAULT).restoreAll();
        assertEquals(Status.APPLIED, result.status());
        assertEquals(List.of(), writes);
        assertTrue(result.fullyRestored());
    }
}
