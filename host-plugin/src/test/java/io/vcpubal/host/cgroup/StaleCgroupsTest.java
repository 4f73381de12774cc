package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a daemon killed with -9 leaves behind, and who may clean it up. */
class StaleCgroupsTest {
    @TempDir
    Path root;

    @Test
    void openMovesLeftTasksToTheRootAndRemovesTheCgroups() {
        CgroupFixture host = CgroupFixture.labV1(root);
        // As cgroupfs shows it after a crash: control files in every cgroup, one task in each VM cgroup.
        CgroupFixture.write(host.mount.resolve("vcpubal/cpu.shares"), "1024\n");
        CgroupFixture.write(host.mount.resolve("vcpubal/tasks"), "");
        CgroupFixture.write(host.vmDir("web").resolve("cpu.shares"), "512\n");
        CgroupFixture.write(host.vmDir("web").resolve("tasks"), "501\n");
        CgroupFixture.write(host.vmDir("db").resolve("tasks"), "");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            assertFalse(Files.exists(host.vmDir("web")));
            assertFalse(Files.exists(host.vmDir("db")));
            assertEquals("501", host.read("tasks"));
            assertTrue(Files.isDirectory(host.mount.resolve("vcpubal")), "made again for this run");
            assertEquals(Set.of(), cgroups.vms());
        }
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
    }

    @Test
    void countsTheVmCgroupsItRemoved() throws Exception {
        CgroupFixture host = CgroupFixture.pureV2(root, "cpu");
        // v2: the threaded domain vcpubal lists every process of its subtree; VM cgroups list threads only.
        CgroupFixture.write(host.mount.resolve("vcpubal/cgroup.procs"), "601\n");
        CgroupFixture.write(host.vmDir("a").resolve("cgroup.type"), "threaded\n");
        CgroupFixture.write(host.vmDir("a").resolve("cgroup.threads"), "602\n");
        CgroupFixture.write(host.vmDir("b").resolve("cgroup.type"), "threaded\n");
        CpuController controller = CpuCgroupDetector.detect(root).orElseThrow();
        assertEquals(2, StaleCgroups.clean(root, controller));
        assertEquals("601", host.read("cgroup.procs"));
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
        assertEquals(0, StaleCgroups.clean(root, controller));
    }

    @Test
    void aLiveOwnersCgroupsAreLeftAlone() throws Exception {
        CgroupFixture host = CgroupFixture.labV1(root).task(101, "/").task(102, "/");
        try (VmCgroups first = VmCgroups.open(root)) {
            first.apply("first-vm", 1, List.of(101), 100);
            try (VmCgroups second = VmCgroups.open(root)) {
                assertTrue(first.ownsHost());
                assertFalse(second.ownsHost());
                assertTrue(Files.isDirectory(host.vmDir("first-vm")), "not cleaned by the second");
                second.apply("second-vm", 1, List.of(102), 200);
            }
            assertFalse(Files.exists(host.vmDir("second-vm")));
            assertTrue(Files.isDirectory(host.vmDir("first-vm")), "vcpubal kept: it still holds first-vm");
        }
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
        try (VmCgroups again = VmCgroups.open(root)) {
            assertTrue(again.ownsHost(), "the lock was released by close");
        }
    }

    @Test
    void withoutCgroupsEverythingIsANoOp() throws Exception {
        try (VmCgroups none = VmCgroups.open(root)) {
            assertEquals("none", none.kind());
            none.apply("web", 1, List.of(101), 100);
            none.release("web");
            assertTrue(none.controller().isEmpty());
        }
        CgroupFixture.writeMounts(root, MountTables.NO_CPU);
        try (VmCgroups none = VmCgroups.open(root)) {
            assertEquals("none", none.kind());
        }
        try (var names = Files.list(root)) {
            assertEquals(List.of("proc"), names.map(n -> n.getFileName().toString()).toList(), "nothing created");
        }
    }
}
