package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.protocol.v1.ClassState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a class group back, as the kernel's files have it. */
class ClassGroupsTest {
    static final String G = "sys/fs/cgroup/vcpubal.class.web/";

    @TempDir
    Path root;
    ClassGroups groups;
    final List<String> writes = new ArrayList<>();

    @BeforeEach
    void tree() throws IOException {
        CgroupTree.create(root);
        groups = new ClassGroups(root.resolve("sys/fs/cgroup"), CgroupTree.writer(root, writes, Set.of()),
                CpuFence.unavailable("test"), CgroupTree.remover());
    }

    @Test
    void readsWhatTheKernelSays() throws IOException {
        CgroupTree.write(root, G + "cgroup.procs", "100\n101\n\n");
        CgroupTree.write(root, G + "cpu.weight", "250\n");
        CgroupTree.write(root, G + "cpu.idle", "0\n");
        CgroupTree.write(root, G + "cpu.max", "25000 100000\n");
        CgroupTree.write(root, G + "cpu.stat", "usage_usec 9\nuser_usec 5\nsystem_usec 4\nnr_periods 3\n"
                + "nr_throttled 1\nthrottled_usec 2\nnr_bursts 0\nburst_usec 0\n");
        assertEquals(ClassState.newBuilder().setName("web").setProcesses(2).setUsageUs(9).setThrottledUs(2)
                .setCpuWeight(250).setQuotaUs(25_000).build(), groups.state("web"));
    }

    @Test
    void theRootsUsageIsEveryTasksCpuTime() throws IOException {
        assertEquals(0, groups.rootUsageUs(), "no cpu.stat in the root (old kernel): unknown");
        CgroupTree.write(root, "sys/fs/cgroup/cpu.stat", "usage_usec 123456789\nuser_usec 100\nsystem_usec 23\n");
        assertEquals(123_456_789L, groups.rootUsageUs());
    }

    @Test
    void missingFilesReadAsTheKernelsDefaults() throws IOException {
        CgroupTree.write(root, G + "cpu.max", "max 100000\n");
        assertEquals(ClassState.newBuilder().setName("web").setCpuWeight(100).build(), groups.state("web"));
        assertEquals(List.of("web"), groups.existing());
    }

    @Test
    void aGroupWithAProcessCannotBeRemoved() throws IOException {
        CgroupTree.write(root, G + "cgroup.procs", "100\n");
        assertThrows(IOException.class, () -> groups.rmdir("web"));
        CgroupTree.write(root, G + "cgroup.procs", "");
        groups.rmdir("web");
        assertEquals(List.of(), groups.existing());
    }

    @Test
    void classPathsAndTheRest() throws IOException {
        assertTrue(ClassGroups.isClassPath("/vcpubal.class.web"));
        assertEquals(false, ClassGroups.isClassPath("/vcpubal.kept"));
        assertEquals(root.resolve("sys/fs/cgroup"), groups.rest());
        assertEquals(root.resolve("sys/fs/cgroup/a/b"), groups.resolve("/a/b"));
        assertEquals(root.resolve("sys/fs/cgroup"), groups.resolve("/"));
        CgroupTree.write(root, "sys/fs/cgroup/vcpubal.kept/cgroup.procs", "");
        assertEquals(root.resolve("sys/fs/cgroup/vcpubal.kept"), groups.rest());
    }
}
