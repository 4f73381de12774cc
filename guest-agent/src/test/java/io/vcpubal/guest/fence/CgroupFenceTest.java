package io.vcpubal.guest.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every file the fence writes, on {@link FenceFixture}'s guest with CPUs 0-3 online. */
class CgroupFenceTest {
    static final CpuSet ALL = CpuSet.range(0, 3);

    @TempDir
    Path root;
    final List<String> writes = new ArrayList<>();
    final Set<String> failing = new HashSet<>(Set.of("proc/irq/0/smp_affinity_list"));
    CgroupFence fence;

    @BeforeEach
    void guest() throws IOException {
        fence = fence(FenceFixture.create(root));
    }

    CgroupFence fence(Path cg) {
        return new CgroupFence(cg, root, FenceFixture.writer(root, writes, failing), () -> CpuSet.range(0, 7));
    }

    @Test
    void fencingConfinesTheProcessesSteersInterruptsAndUnboundWork() throws IOException {
        FenceReport r = fence.set(CpuSet.of(2, 3), ALL);
        SteeringReport steering = fence.lastSteering();

        assertEquals(List.of(
                "sys/fs/cgroup/cgroup.subtree_control=+cpuset",
                "sys/fs/cgroup/vcpubal.kept/cgroup.procs=" + FenceFixture.USER_PID,
                "sys/fs/cgroup/vcpubal.kept/cpuset.cpus=0-1",
                "proc/irq/1/smp_affinity_list=0-1",
                "proc/irq/9/smp_affinity_list=0-1",
                "proc/irq/24/smp_affinity_list=0-1",
                "proc/irq/default_smp_affinity=3",
                "sys/devices/virtual/workqueue/cpumask=3"), writes, "the kernel thread stays in the root");
        assertEquals(1, r.tasksMoved());
        assertEquals(3, steering.irqsSteered());
        assertEquals(List.of("0: EIO: Input/output error"), steering.irqsRefused());
        assertEquals(CpuSet.range(0, 1), steering.kept());
        assertEquals(CpuSet.of(2, 3), fence.fenced(ALL));
    }

    @Test
    void unfencingPutsBackWhatTheFenceOverwrote() throws IOException {
        FenceFixture.write(root, "proc/irq/9/smp_affinity_list", "3\n"); // an admin's choice
        fence.set(CpuSet.of(2, 3), ALL);
        writes.clear();

        fence.set(CpuSet.empty(), ALL);

        assertEquals(List.of(
                "sys/fs/cgroup/vcpubal.kept/cpuset.cpus=0-7",
                "proc/irq/1/smp_affinity_list=0-3",
                "proc/irq/24/smp_affinity_list=0-3",
                "proc/irq/9/smp_affinity_list=3",
                "proc/irq/default_smp_affinity=f",
                "sys/devices/virtual/workqueue/cpumask=f"), writes);
        assertEquals(CpuSet.empty(), fence.fenced(ALL));
    }

    @Test
    void aSecondFenceOnlyWritesTheCpusetAndWhatDiffers() throws IOException {
        fence.set(CpuSet.of(3), ALL);
        FenceFixture.write(root, "sys/fs/cgroup/cgroup.subtree_control", "cpuset\n");
        FenceFixture.write(root, "sys/fs/cgroup/cgroup.procs", FenceFixture.KTHREAD_PID + "\n");
        writes.clear();

        fence.set(CpuSet.of(2, 3), ALL);

        assertEquals("sys/fs/cgroup/vcpubal.kept/cpuset.cpus=0-1", writes.get(0), writes.toString());
        assertFalse(writes.stream().anyMatch(w -> w.contains("subtree_control") || w.contains("cgroup.procs")), writes.toString());
    }

    @Test
    void theAnswerWaitsForTheCpusetOnlyAndSteeringFollowsTheLatestFence() throws IOException {
        List<Runnable> queued = new ArrayList<>();
        CgroupFence later = new CgroupFence(root.resolve("sys/fs/cgroup"), root,
                FenceFixture.writer(root, writes, failing), () -> CpuSet.range(0, 7), queued::add);
        later.set(CpuSet.of(3), ALL);
        later.set(CpuSet.of(2, 3), ALL);
        assertEquals(List.of(
                "sys/fs/cgroup/cgroup.subtree_control=+cpuset",
                "sys/fs/cgroup/vcpubal.kept/cgroup.procs=" + FenceFixture.USER_PID,
                "sys/fs/cgroup/vcpubal.kept/cpuset.cpus=0-2",
                "sys/fs/cgroup/vcpubal.kept/cpuset.cpus=0-1"), writes, "confined before the answer, nothing else yet");
        writes.clear();

        queued.forEach(Runnable::run);

        assertEquals(List.of(
                "proc/irq/1/smp_affinity_list=0-1",
                "proc/irq/9/smp_affinity_list=0-1",
                "proc/irq/24/smp_affinity_list=0-1",
                "proc/irq/default_smp_affinity=3",
                "sys/devices/virtual/workqueue/cpumask=3"), writes, "one steering, to the latest kept set");
        assertEquals(CpuSet.range(0, 1), later.lastSteering().kept());
    }

    @Test
    void dismantlingFinishesAPendingUnfenceFirst() throws IOException {
        List<Runnable> queued = new ArrayList<>();
        CgroupFence later = new CgroupFence(root.resolve("sys/fs/cgroup"), root,
                FenceFixture.writer(root, writes, failing), () -> CpuSet.range(0, 7), queued::add);
        later.set(CpuSet.of(2, 3), ALL);
        queued.forEach(Runnable::run);
        later.set(CpuSet.empty(), ALL);
        writes.clear();

        later.dismantle();

        assertTrue(writes.contains("proc/irq/24/smp_affinity_list=0-3"), writes.toString());
        assertTrue(writes.contains("sys/devices/virtual/workqueue/cpumask=f"), writes.toString());
    }

    @Test
    void aRestartedAgentSeesAndUndoesAFenceLeftByACrashedOne() throws IOException {
        Path cg = root.resolve("sys/fs/cgroup");
        FenceFixture.write(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus", "0\n");
        FenceFixture.write(root, "proc/irq/24/smp_affinity_list", "0\n");
        CgroupFence restarted = fence(cg);
        assertEquals(CpuSet.range(1, 3), restarted.fenced(ALL));

        restarted.set(CpuSet.empty(), ALL);

        assertEquals("0-7", FenceFixture.read(root, "sys/fs/cgroup/vcpubal.kept/cpuset.cpus"), "all possible CPUs");
        assertEquals("0-3", FenceFixture.read(root, "proc/irq/24/smp_affinity_list"), "all online CPUs");
        assertEquals("ff", FenceFixture.read(root, "sys/devices/virtual/workqueue/cpumask"), "all possible CPUs");
    }

    @Test
    void unfencingWhenNothingWasFencedWritesNothing() throws IOException {
        fence.set(CpuSet.empty(), ALL);
        assertEquals(List.of(), writes);
    }

    @Test
    void aCpusetTheKernelRefusesIsAnErrorAndLeavesInterruptsAlone() {
        failing.add("sys/fs/cgroup/vcpubal.kept/cpuset.cpus");
        assertThrows(IOException.class, () -> fence.set(CpuSet.of(2, 3), ALL));
        assertFalse(writes.stream().anyMatch(w -> w.startsWith("proc/irq")), writes.toString());
    }

    @Test
    void fencingEveryCpuIsRefused() {
        assertThrows(IOException.class, () -> fence.set(ALL, ALL));
        assertEquals(List.of(), writes);
    }

    @Test
    void dismantlingMovesTheProcessesBackAndRemovesTheGroup() throws IOException {
        fence.set(CpuSet.of(3), ALL);
        FenceFixture.write(root, "sys/fs/cgroup/vcpubal.kept/cgroup.procs", "100\n");
        // A real cgroup directory can be removed while its interface files exist; the fixture's cannot.
        fence.set(CpuSet.empty(), ALL);
        writes.clear();
        fence.dismantle();
        assertTrue(writes.contains("sys/fs/cgroup/cgroup.procs=100"), writes.toString());
        assertTrue(Files.isDirectory(root.resolve("sys/fs/cgroup/vcpubal.kept")), "fixture files keep it");
    }
}
