package io.vcpubal.guest.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonResult.Status;
import io.vcpubal.guest.fence.CgroupFence;
import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.guest.fence.FenceFixture;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The balloon in fence mode on a 4-CPU fixture guest (cpu0 without online file) with a cgroup v2 tree. */
class FenceModeTest {
    static final long LEASE = 10_000;

    @TempDir
    Path root;
    final List<String> sysfsWrites = new ArrayList<>();
    final List<String> fenceWrites = new ArrayList<>();
    final Set<String> failing = new HashSet<>();
    VcpuBalloon balloon;

    @BeforeEach
    void fourCpus() throws IOException {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        Path cg = FenceFixture.create(root);
        CpuFence fence = new CgroupFence(cg, root, FenceFixture.writer(root, fenceWrites, failing), () -> CpuSet.range(0, 3));
        balloon = new VcpuBalloon(new CpuSysfs(root, SysfsFixture.recording(sysfsWrites)), fence,
                BalloonPolicy.DEFAULT, System::nanoTime);
    }

    static BalloonRequest fence(String cpus) {
        return BalloonRequest.cpus(CpuSet.parse(cpus), LEASE).in(BalloonMode.FENCE);
    }

    @Test
    void aFenceShrinkKeepsEveryCpuOnlineAndConfinesTheGuest() throws IOException {
        BalloonResult r = balloon.apply(fence("0-1"));

        assertEquals(Status.APPLIED, r.status(), r.toString());
        assertEquals(CpuSet.range(0, 3), r.online());
        assertEquals(CpuSet.of(2, 3), r.fenced());
        assertEquals(CpuSet.of(0, 1), r.usable());
        assertEquals(CpuSet.of(2, 3), r.restorable(), "fenced CPUs need a lease like offline ones");
        assertEquals(List.of(), sysfsWrites, "no hotplug");
        assertEquals("0-1", FenceFixture.read(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus"));
        assertEquals(new CpuUsage(CpuSet.range(0, 3), CpuSet.of(2, 3)), balloon.usage());
    }

    @Test
    void aFenceGrowUnfences() throws IOException {
        balloon.apply(fence("0-1"));
        BalloonResult r = balloon.apply(fence("0-3"));
        assertEquals(Status.APPLIED, r.status(), r.toString());
        assertEquals(CpuSet.empty(), r.fenced());
        assertTrue(r.fullyRestored());
        assertEquals("0-3", FenceFixture.read(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus"));
        assertEquals("0-3", FenceFixture.read(root, "proc/irq/24/smp_affinity_list"));
    }

    @Test
    void aFenceOfAHotpluggedGuestOnlinesWhatItKeeps() throws IOException {
        balloon.apply(BalloonRequest.cpus(CpuSet.of(0), LEASE));
        sysfsWrites.clear();
        BalloonResult r = balloon.apply(fence("0-1"));
        assertEquals(List.of("cpu1=1"), sysfsWrites, "cpus 2-3 stay offline: fencing them would online them first");
        assertEquals(CpuSet.of(0, 1), r.online());
        assertEquals(CpuSet.empty(), r.fenced());
    }

    @Test
    void hotplugModeOfflinesFencedCpusAndUnfences() throws IOException {
        balloon.apply(fence("0-1"));
        BalloonResult r = balloon.apply(BalloonRequest.cpus(CpuSet.of(0, 1), LEASE));
        assertEquals(Status.APPLIED, r.status(), r.toString());
        assertEquals(List.of("cpu3=0", "cpu2=0"), sysfsWrites);
        assertEquals(CpuSet.of(0, 1), r.online());
        assertEquals(CpuSet.empty(), r.fenced());

        // The cpuset may stay narrow while the CPUs outside it are offline; a grow must widen it.
        BalloonResult grown = balloon.apply(BalloonRequest.cpus(CpuSet.range(0, 3), 0));
        assertEquals(CpuSet.range(0, 3), grown.usable(), grown.toString());
        assertEquals("0-3", FenceFixture.read(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus"));
    }

    @Test
    void aFenceBelowTheFloorIsRefusedAndChangesNothing() throws IOException {
        VcpuBalloon floored = new VcpuBalloon(new CpuSysfs(root), new CgroupFence(root.resolve("sys/fs/cgroup"), root,
                FenceFixture.writer(root, fenceWrites, failing), () -> CpuSet.range(0, 3)),
                new BalloonPolicy(3, CpuSet.empty()), System::nanoTime);
        BalloonResult r = floored.apply(fence("0-1"));
        assertEquals(Status.REFUSED, r.status());
        assertTrue(r.message().contains("floor"), r.message());
        assertEquals(List.of(), fenceWrites);
        assertEquals(CpuSet.range(0, 3), r.usable());
    }

    @Test
    void cpu0IsNeverFenced() {
        BalloonResult r = balloon.apply(fence("1-3"));
        assertEquals(Status.REFUSED, r.status());
        assertTrue(r.message().contains("cpu0"), r.message());
    }

    @Test
    void aFailedFenceRollsBackTheHotplugItNeeded() throws IOException {
        balloon.apply(BalloonRequest.cpus(CpuSet.range(0, 2), LEASE));
        sysfsWrites.clear();
        failing.add("sys/fs/cgroup/vcpubal.kept/cpuset.cpus");

        BalloonResult r = balloon.apply(fence("0,3"));

        assertEquals(Status.ROLLED_BACK, r.status(), r.toString());
        assertEquals(List.of("cpu3=1", "cpu3=0"), sysfsWrites);
        assertEquals(CpuSet.range(0, 2), r.usable());
        assertTrue(r.cpuErrors().get(1).startsWith("fence: EIO"), r.cpuErrors().toString());
    }

    @Test
    void fenceModeIsRefusedWhereTheGuestCannotFence() throws IOException {
        VcpuBalloon hotplugOnly = new VcpuBalloon(new CpuSysfs(root), BalloonPolicy.DEFAULT);
        assertEquals(Set.of(BalloonMode.HOTPLUG), hotplugOnly.modes());
        BalloonResult r = hotplugOnly.apply(fence("0-1"));
        assertEquals(Status.REFUSED, r.status());
        assertTrue(r.message().contains("fence mode is not available"), r.message());
        assertEquals(Set.of(BalloonMode.HOTPLUG, BalloonMode.FENCE), balloon.modes());
    }

    @Test
    void anExpiredLeaseUnfences() throws IOException {
        Instant[] now = {Instant.parse("2026-12-02T10:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        BalloonLease lease = new BalloonLease(balloon, clock);
        assertEquals(Status.APPLIED, lease.apply(fence("0-1")).status());
        assertTrue(lease.deadline().isPresent(), "a fence arms the lease");

        now[0] = now[0].plus(Duration.ofMillis(LEASE));
        BalloonResult restore = lease.expireIfDue().orElseThrow().restore();

        assertEquals(CpuSet.empty(), restore.fenced());
        assertEquals(CpuSet.range(0, 3), restore.usable());
        assertEquals("0-3", FenceFixture.read(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus"));
    }

    @Test
    void restoreAllOnlinesAndUnfences() throws IOException {
        balloon.apply(BalloonRequest.cpus(CpuSet.of(0, 1), LEASE));
        balloon.apply(fence("0"));
        BalloonResult r = balloon.restoreAll();
        assertEquals(CpuSet.range(0, 3), r.usable(), r.toString());
        assertEquals(CpuSet.empty(), r.fenced());
    }
}
