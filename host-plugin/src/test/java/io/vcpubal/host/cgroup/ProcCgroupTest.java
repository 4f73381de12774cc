package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcCgroupTest {

    /** /proc/self/cgroup of a process on this lab host. */
    static final List<String> LAB = List.of(
            "9:name=systemd:/", "8:pids:/", "7:blkio:/", "6:freezer:/", "5:devices:/",
            "4:memory:/process_api/7ac866947fb1512c7412e9e96cc1dd4f", "3:cpuset:/", "2:cpuacct:/", "1:cpu:/",
            "0::/");

    /** A libvirt vCPU thread on an Ubuntu 20.04 hybrid host. */
    static final List<String> HYBRID_LIBVIRT = List.of(
            "12:cpuset:/machine.slice/machine-qemu\\x2d1\\x2dweb.scope/vcpu0",
            "4:cpu,cpuacct:/machine.slice/machine-qemu\\x2d1\\x2dweb.scope/vcpu0",
            "1:name=systemd:/machine.slice/machine-qemu\\x2d1\\x2dweb.scope",
            "0::/machine.slice/machine-qemu\\x2d1\\x2dweb.scope");

    @Test
    void v1TakesTheLineListingCpu() {
        assertEquals(Optional.of("/"), ProcCgroup.cpuPath(LAB, CgroupVersion.V1));
        assertEquals(Optional.of("/machine.slice/machine-qemu\\x2d1\\x2dweb.scope/vcpu0"),
                ProcCgroup.cpuPath(HYBRID_LIBVIRT, CgroupVersion.V1));
    }

    @Test
    void v2TakesTheLineWithIdZero() {
        assertEquals(Optional.of("/machine.slice/machine-qemu\\x2d1\\x2dweb.scope"),
                ProcCgroup.cpuPath(HYBRID_LIBVIRT, CgroupVersion.V2));
        assertEquals(Optional.of("/user.slice/user-1000.slice/session-2.scope"),
                ProcCgroup.cpuPath(List.of("0::/user.slice/user-1000.slice/session-2.scope"), CgroupVersion.V2));
    }

    @Test
    void missingOrGarbledLinesGiveNothing() {
        assertEquals(Optional.empty(), ProcCgroup.cpuPath(List.of("2:cpuacct:/", "3:cpuset:/"), CgroupVersion.V1));
        assertEquals(Optional.empty(), ProcCgroup.cpuPath(List.of("1:cpu:/x"), CgroupVersion.V2));
        assertEquals(Optional.empty(), ProcCgroup.cpuPath(List.of("", "nonsense", "1:cpu:"), CgroupVersion.V1));
    }

    @Test
    void readsUnderTheRootAndGivesNothingForAGoneTask(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc/42"));
        Files.write(root.resolve("proc/42/cgroup"), HYBRID_LIBVIRT);
        assertEquals(Optional.of("/machine.slice/machine-qemu\\x2d1\\x2dweb.scope/vcpu0"),
                ProcCgroup.read(root, 42, CgroupVersion.V1));
        assertEquals(Optional.empty(), ProcCgroup.read(root, 43, CgroupVersion.V1));
    }

    @Test
    void readsThisProcess() throws Exception {
        Optional<CpuController> cpu = CpuCgroupDetector.detect(Path.of("/"));
        assumeTrue(cpu.isPresent(), "no cpu controller mounted here");
        int pid = (int) ProcessHandle.current().pid();
        assertTrue(ProcCgroup.read(Path.of("/"), pid, cpu.get().version()).orElse("").startsWith("/"));
    }
}
