package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VmCgroups on a fixture laid out like a pure cgroup v2 host: QEMU processes go into {@code vcpubal} (the
 * threaded domain), their pool vCPU threads into the threaded {@code vcpubal/<vm>}.
 */
class VmCgroupsV2FixtureTest {
    @TempDir
    Path root;

    CgroupFixture host(String subtreeControl) {
        CgroupFixture host = CgroupFixture.pureV2(root, subtreeControl)
                .task(200, "/machine.slice/qemu-db.scope")
                .task(300, "/machine.slice/qemu-db2.scope");
        host.cgroup("machine.slice/qemu-db.scope");
        return host;
    }

    @Test
    void enablesTheCpuControllerDownToTheVmCgroups() {
        CgroupFixture host = host("");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            assertEquals("v2", cgroups.kind());
            assertEquals("+cpu", host.read("cgroup.subtree_control"));
            assertEquals("+cpu", host.read("vcpubal/cgroup.subtree_control"));
        }
        assertFalse(Files.exists(host.mount.resolve("vcpubal")));
    }

    @Test
    void leavesAnAlreadyEnabledControllerAlone() {
        CgroupFixture host = host("cpuset cpu io memory pids");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            assertEquals("cpuset cpu io memory pids", host.read("cgroup.subtree_control"));
        }
    }

    @Test
    void processIntoTheThreadedDomainPoolThreadsIntoTheVmCgroup() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 2.5, List.of(201), 200);
            assertEquals("threaded", host.read("vcpubal/db/cgroup.type"));
            assertEquals("250", host.read("vcpubal/db/cpu.weight"));
            assertEquals("200", host.read("vcpubal/cgroup.procs"), "the whole process, dedicated vCPUs included");
            assertEquals("201", host.read("vcpubal/db/cgroup.threads"), "only the pool thread is weighted");
            assertNull(host.read("vcpubal/db/cgroup.procs"));
            assertNull(host.read("vcpubal/db/tasks"));
            assertNull(host.read("vcpubal/db/cpu.shares"));
        }
    }

    @Test
    void writesOnlyWhatChanged() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 1, List.of(201, 202), 200);
            Files.delete(host.mount.resolve("vcpubal/cgroup.procs"));
            Files.delete(host.vmDir("db").resolve("cgroup.threads"));
            Files.delete(host.vmDir("db").resolve("cpu.weight"));
            cgroups.apply("db", 1, List.of(202, 201), 200);
            assertNull(host.read("vcpubal/cgroup.procs"));
            assertNull(host.read("vcpubal/db/cgroup.threads"));
            assertNull(host.read("vcpubal/db/cpu.weight"));
        }
    }

    @Test
    void aThreadLeavingThePoolStaysInTheDomain() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 1, List.of(201, 202), 200);
            cgroups.apply("db", 1, List.of(201), 200);
            assertEquals("202", host.read("vcpubal/cgroup.threads"), "threads cannot leave their threaded subtree");
        }
    }

    @Test
    void releaseMovesTheProcessBackWithItsThreads() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 1, List.of(201), 200);
            cgroups.release("db");
            assertEquals("200", host.read("machine.slice/qemu-db.scope/cgroup.procs"));
            assertNull(host.read("vcpubal/cgroup.threads"), "threads are not moved one by one");
            assertFalse(Files.exists(host.vmDir("db")));
        }
    }

    @Test
    void aRestartedQemuIsMovedInAndTheOldOneOut() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 1, List.of(201), 200);
            cgroups.apply("db", 1, List.of(301), 300);
            assertEquals("300", host.read("vcpubal/cgroup.procs"));
            assertEquals("301", host.read("vcpubal/db/cgroup.threads"));
            assertEquals("200", host.read("machine.slice/qemu-db.scope/cgroup.procs"));
        }
        // 300's cgroup (machine.slice/qemu-db2.scope) does not exist: it went to machine.slice instead.
        assertEquals("300", host.read("machine.slice/cgroup.procs"));
    }

    @Test
    void withoutAQemuPidTheVmFailsAlone() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            CgroupException e = assertThrows(CgroupException.class, () -> cgroups.apply("db", 1, List.of(201), 0));
            assertEquals("db", e.vm());
            assertEquals(host.mount.resolve("vcpubal/cgroup.procs"), e.file());
            cgroups.apply("other", 1, List.of(301), 300);
            assertEquals("301", host.read("vcpubal/other/cgroup.threads"));
        }
    }

    @Test
    void aGoneQemuIsNoError() throws Exception {
        CgroupFixture host = host("cpu");
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            cgroups.apply("db", 1, List.of(201), 200);
            Files.delete(host.mount.resolve("vcpubal/cgroup.procs"));
            Files.createDirectories(host.mount.resolve("vcpubal/cgroup.procs")); // writes fail from now on
            cgroups.apply("db", 1, List.of(901), 900); // 900 has no /proc entry: gone, skipped
            assertThrows(CgroupException.class, () -> cgroups.apply("db", 1, List.of(301), 300));
        }
    }

    @Test
    void aV2HostWhoseCpuControllerCannotBeEnabledGivesNone() throws Exception {
        CgroupFixture host = host("");
        Files.delete(host.mount.resolve("cgroup.subtree_control"));
        Files.createDirectories(host.mount.resolve("cgroup.subtree_control")); // writes fail, as on a host that forbids it
        try (VmCgroups cgroups = VmCgroups.open(root)) {
            assertEquals("none", cgroups.kind());
            cgroups.apply("db", 1, List.of(201), 200);
            assertTrue(cgroups.vms().isEmpty());
        }
    }
}
