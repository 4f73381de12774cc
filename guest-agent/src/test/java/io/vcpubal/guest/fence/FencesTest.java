package io.vcpubal.guest.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.sysfs.CpuSysfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which fence a guest gets, and why none. */
class FencesTest {
    @TempDir
    Path root;
    final List<Path> mounted = new ArrayList<>();

    CpuFence probe() {
        return Fences.probe(root, new CpuSysfs(root), FenceFixture.writer(root, new ArrayList<>(), Set.of()),
                target -> {
                    mounted.add(target);
                    FenceFixture.write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu\n");
                }, Runnable::run);
    }

    @Test
    void aMountedHierarchyWithCpusetIsUsed() throws IOException {
        FenceFixture.create(root);
        assertInstanceOf(CgroupFence.class, probe());
        assertEquals(List.of(), mounted);
    }

    @Test
    void aGuestWhereNothingMountedCgroup2GetsItMounted() throws IOException {
        Files.createDirectories(root.resolve("sys/fs/cgroup"));
        FenceFixture.write(root, "proc/self/mounts", "sysfs /sys sysfs rw 0 0\n");
        assertInstanceOf(CgroupFence.class, probe());
        assertEquals(List.of(root.resolve("sys/fs/cgroup")), mounted);
    }

    @Test
    void systemdGuestsAreHotplugOnlyForNow() throws IOException {
        FenceFixture.create(root);
        Files.createDirectories(root.resolve("run/systemd/system"));
        assertTrue(probe().unavailable().orElseThrow().contains("systemd"));
    }

    @Test
    void aKernelWithoutTheCpusetControllerCannotFence() throws IOException {
        FenceFixture.create(root);
        FenceFixture.write(root, "sys/fs/cgroup/cgroup.controllers", "cpu io memory\n");
        assertTrue(probe().unavailable().orElseThrow().contains("no cpuset controller"));
    }

    @Test
    void cpusetOnCgroupV1CannotFence() throws IOException {
        FenceFixture.create(root);
        FenceFixture.write(root, "proc/self/mounts", "cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n");
        assertTrue(probe().unavailable().orElseThrow().contains("v1"));
    }

    @Test
    void nowhereToMountCannotFence() throws IOException {
        FenceFixture.write(root, "proc/self/mounts", "\n");
        assertTrue(probe().unavailable().isPresent());
        assertEquals(List.of(), mounted);
    }
}
