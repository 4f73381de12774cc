package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which guests are offered classes, and why the others are not. */
class ClassAvailabilityTest {
    @TempDir
    Path root;
    final List<Path> mounted = new ArrayList<>();

    ClassAvailability probe() {
        return ClassAvailability.probe(root, target -> {
            mounted.add(target);
            CgroupTree.write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu\n");
        });
    }

    @Test
    void aMountedHierarchyWithCpuIsUsed() throws IOException {
        CgroupTree.create(root);
        ClassAvailability a = probe();
        assertTrue(a.available());
        assertEquals(Optional.of(root.resolve("sys/fs/cgroup")), a.cgroupRoot());
        assertEquals(List.of(), mounted);
    }

    @Test
    void aGuestWhereNothingMountedCgroup2GetsItMounted() throws IOException {
        Files.createDirectories(root.resolve("sys/fs/cgroup"));
        CgroupTree.write(root, "proc/self/mounts", "sysfs /sys sysfs rw 0 0\n");
        assertTrue(probe().available());
        assertEquals(List.of(root.resolve("sys/fs/cgroup")), mounted);
    }

    @Test
    void aSystemdGuestIsOfferedUnitClassesOnTheHierarchySystemdMounted() throws IOException {
        CgroupTree.create(root);
        Files.createDirectories(root.resolve("run/systemd/system"));
        CgroupTree.write(root, "usr/bin/systemctl", "#!/bin/sh\n");
        root.resolve("usr/bin/systemctl").toFile().setExecutable(true);
        ClassAvailability a = probe();
        assertTrue(a.available(), a.toString());
        assertTrue(a.systemd());
        assertEquals(Optional.of(root.resolve("sys/fs/cgroup")), a.cgroupRoot());
    }

    @Test
    void aSystemdGuestOnCgroupV1IsNotOfferedClassesAndNothingIsMounted() throws IOException {
        Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.createDirectories(root.resolve("run/systemd/system"));
        CgroupTree.write(root, "proc/self/mounts", "tmpfs /sys/fs/cgroup tmpfs ro 0 0\n"
                + "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n");
        assertTrue(probe().unavailable().orElseThrow().contains("cgroup v1"));
        assertEquals(List.of(), mounted, "systemd owns the hierarchy: the agent mounts none");
    }

    @Test
    void aSystemdGuestWithoutSystemctlIsNotOfferedClasses() throws IOException {
        CgroupTree.create(root);
        Files.createDirectories(root.resolve("run/systemd/system"));
        assertTrue(probe().unavailable().orElseThrow().contains("no systemctl"));
    }

    @Test
    void aKernelWithoutTheCpuControllerInV2HasNoClasses() throws IOException {
        CgroupTree.create(root);
        CgroupTree.write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset io memory\n");
        assertTrue(probe().unavailable().orElseThrow().contains("no cpu controller"));
    }

    @Test
    void noCgroupDirectoryNoClasses() {
        assertTrue(probe().unavailable().orElseThrow().contains("no cgroup v2 hierarchy"));
        assertEquals(List.of(), mounted);
    }
}
