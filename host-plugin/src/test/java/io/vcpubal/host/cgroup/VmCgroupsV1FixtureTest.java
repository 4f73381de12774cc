package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VmCgroups on a fixture laid out like this lab host (v1 cpu at /sys/fs/cgroup/cpu). */
class VmCgroupsV1FixtureTest {
    @TempDir
    Path root;
    CgroupFixture host;

    @BeforeEach
    void labHost() {
        host = CgroupFixture.labV1(root)
                .task(101, "/machine.slice/qemu-web.scope")
                .task(102, "/machine.slice/qemu-web.scope")
                .task(103, "/");
        host.cgroup("machine.slice/qemu-web.scope");
    }

    @Test
    void opensTheV1CpuHierarchyAndPreparesVcpubal() {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            assertEquals("v1", cgroups.kind());
            assertEquals(host.mount, cgroups.controller().orElseThrow().mount());
            assertTrue(Files.isDirectory(host.mount.resolve("vcpubal")));
            assertTrue(cgroups.ownsHost());
        }
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
    }

    @Test
    void movesEachVcpuThreadAndWritesSharesForTheShare() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 0.5, List.of(101), 100);
            assertEquals("512", host.read("vcpubal/web/cpu.shares"));
            assertEquals("101", host.read("vcpubal/web/tasks"));
            cgroups.apply("web", 0.5, List.of(101, 102), 100);
            assertEquals("102", host.read("vcpubal/web/tasks"), "the new thread, written alone");
            assertEquals(Set.of("web"), cgroups.vms());
            // The QEMU pid is not moved in v1: emulator threads stay where they were.
            assertNull(host.read("machine.slice/qemu-web.scope/tasks"));
        }
    }

    @Test
    void borrowedPoolTimeRunsAtIdlePriorityAndOnlyChangesAreWritten() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.setIdle("web", true);
            assertFalse(Files.exists(host.vmDir("web")), "no cgroup yet: nothing to mark");
            cgroups.apply("web", 0.9, List.of(101), 100);
            cgroups.setIdle("web", false);
            assertNull(host.read("vcpubal/web/cpu.idle"), "normal priority is the kernel's default: not written");
            cgroups.setIdle("web", true);
            assertEquals("1", host.read("vcpubal/web/cpu.idle"));
            Files.delete(host.vmDir("web").resolve("cpu.idle"));
            cgroups.setIdle("web", true);
            assertNull(host.read("vcpubal/web/cpu.idle"), "unchanged: not written again");
            cgroups.setIdle("web", false);
            assertEquals("0", host.read("vcpubal/web/cpu.idle"), "the owner is back: normal priority");
        }
    }

    @Test
    void writesOnlyWhatChanged() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 0.5, List.of(101, 102), 100);
            Files.delete(host.vmDir("web").resolve("cpu.shares"));
            Files.delete(host.vmDir("web").resolve("tasks"));

            cgroups.apply("web", 0.5, List.of(102, 101), 100);
            assertNull(host.read("vcpubal/web/cpu.shares"), "same weight: not written again");
            assertNull(host.read("vcpubal/web/tasks"), "same threads: not written again");

            cgroups.apply("web", 1.5, List.of(101, 102), 100);
            assertEquals("1536", host.read("vcpubal/web/cpu.shares"));
            assertNull(host.read("vcpubal/web/tasks"));
        }
    }

    @Test
    void aThreadDroppedFromTheListGoesBackWhereItCameFrom() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 1, List.of(101, 102), 100);
            cgroups.apply("web", 1, List.of(101, 103), 100);
            assertEquals("102", host.read("machine.slice/qemu-web.scope/tasks"));
            assertEquals("103", host.read("vcpubal/web/tasks"));
        }
    }

    @Test
    void releaseMovesThreadsBackAndRemovesTheCgroup() throws Exception {
        host.taskWithoutCgroupFile(104);
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 1, List.of(101), 100);
            cgroups.apply("db", 1, List.of(104), 200);
            cgroups.release("web");
            assertEquals("101", host.read("machine.slice/qemu-web.scope/tasks"));
            assertFalse(Files.exists(host.vmDir("web")));
            assertEquals(Set.of("db"), cgroups.vms());

            cgroups.release("db");
            assertEquals("104", host.read("tasks"), "origin unknown: the hierarchy root");
            assertFalse(Files.exists(host.vmDir("db")));
            assertTrue(Files.isDirectory(host.mount.resolve("vcpubal")), "kept until close");
        }
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
    }

    @Test
    void aThreadWhoseCgroupIsGoneGoesToTheNearestAncestor() throws Exception {
        host.task(105, "/machine.slice/qemu-gone.scope/vcpu0");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 1, List.of(105), 100);
            cgroups.release("web");
        }
        assertEquals("105", host.read("machine.slice/tasks"));
        assertEquals(null, VmCgroups.parentPath("/"));
        assertEquals("/", VmCgroups.parentPath("/machine.slice"));
        assertEquals("/machine.slice", VmCgroups.parentPath("/machine.slice/qemu.scope"));
    }

    @Test
    void closeReleasesEveryVm() throws Exception {
        VmCgroups cgroups = VmCgroups.open(root);
        cgroups.apply("web", 1, List.of(101), 100);
        cgroups.apply("db", 0.25, List.of(103), 200);
        cgroups.close();
        assertEquals("101", host.read("machine.slice/qemu-web.scope/tasks"));
        assertEquals("103", host.read("tasks"));
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
        assertEquals(Set.of(), cgroups.vms());
    }

    @Test
    void aVanishedThreadIsNoErrorButAFailingWriteIsOneNamingVmAndFile() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 1, List.of(), 100);
            // Make every write to tasks fail: 999 has no /proc entry (gone, ESRCH), 101 has one.
            Path tasks = host.vmDir("web").resolve("tasks");
            Files.createDirectories(tasks);
            cgroups.apply("web", 1, List.of(999), 100);

            CgroupException e = assertThrows(CgroupException.class,
                    () -> cgroups.apply("web", 1, List.of(999, 101, 102), 100));
            assertEquals("web", e.vm());
            assertEquals(tasks, e.file());
            assertTrue(e.getMessage().startsWith("VM web: cannot move thread 101 into " + tasks), e.getMessage());
            assertEquals(1, e.getSuppressed().length, "102 was tried too");
            Files.delete(tasks);

            cgroups.apply("web", 1, List.of(101), 100);
            assertEquals("101", host.read("vcpubal/web/tasks"), "retried on the next round");
        }
    }

    @Test
    void aWeightThatCannotBeWrittenIsAnErrorOfThatVm() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            Files.createDirectories(host.vmDir("web").resolve("cpu.shares"));
            CgroupException e = assertThrows(CgroupException.class, () -> cgroups.apply("web", 1, List.of(101), 100));
            assertEquals(host.vmDir("web").resolve("cpu.shares"), e.file());
            assertTrue(e.getMessage().startsWith("VM web: cannot write 1024 to "), e.getMessage());
            cgroups.apply("db", 1, List.of(103), 200);
            assertEquals("103", host.read("vcpubal/db/tasks"));
        }
    }

    @Test
    void aCgroupRemovedBehindOurBackIsMadeAgain() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("web", 1, List.of(101), 100);
            deleteTree(host.vmDir("web"));
            cgroups.apply("web", 1, List.of(101), 100);
            assertEquals("1024", host.read("vcpubal/web/cpu.shares"));
            assertEquals("101", host.read("vcpubal/web/tasks"));
        }
    }

    @Test
    void releaseRemovesACgroupItNeverMadeWithItsTasks() throws Exception {
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            CgroupFixture.write(host.vmDir("old").resolve("tasks"), "103\n");
            cgroups.release("old");
            assertFalse(Files.exists(host.vmDir("old")));
            assertEquals("103", host.read("tasks"));
            cgroups.release("never-seen");
        }
    }

    @Test
    void vmNamesCannotLeaveVcpubal() throws Exception {
        assertEquals("web-1.prod_a", VmCgroups.dirName("web-1.prod_a"));
        assertEquals("\\x2e.", VmCgroups.dirName(".."));
        assertEquals("a\\x2fb\\x20c", VmCgroups.dirName("a/b c"));
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("../escape", 1, List.of(101), 100);
            assertTrue(Files.isDirectory(host.mount.resolve("vcpubal/\\x2e.\\x2fescape")));
            assertFalse(Files.exists(host.mount.resolve("escape")));
        }
    }

    static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
