package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** VmCgroups on this machine's real cgroup hierarchy (needs root; skipped otherwise). */
class VmCgroupsRealTest {

    /**
     * A multi-threaded process stands in for QEMU: only its pool vCPU thread may join the VM's cgroup (v1:
     * alone; v2: its process goes into the threaded domain {@code vcpubal}), and all of it goes back on close.
     */
    @Test
    void movesOnePoolThreadInWithItsWeightAndEverythingBackOnClose() throws Exception {
        CpuController cpu = RealHost.cpuControllerOrSkip();
        String vm = RealHost.uniqueVm("real");
        // A cgroup of its own to start from, so "back where it was" is not just the root.
        Path origin = cpu.mount().resolve("vcpubal-test-origin-" + vm);
        String originPath = "/" + origin.getFileName();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process qemu = RealHost.javaMain(FakeQemu.class);
        Files.createDirectory(origin);
        try {
            String[] ids = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))
                    .readLine().trim().split(" ");
            int pid = Integer.parseInt(ids[0]);
            int dedicated = Integer.parseInt(ids[1]);
            int pool = Integer.parseInt(ids[2]);
            // cgroup.procs moves every thread of the process, in v1 as in v2.
            Files.writeString(origin.resolve("cgroup.procs"), Integer.toString(pid));
            for (int tid : List.of(pid, dedicated, pool)) {
                assertEquals(originPath, RealHost.cgroupOf(cpu, pid, tid));
            }
            String rest = cpu.version() == CgroupVersion.V1 ? originPath : "/vcpubal";

            VmCgroups cgroups = VmCgroups.open(RealHost.ROOT);
            Path dir = cpu.mount().resolve("vcpubal").resolve(vm);
            try {
                assertEquals(cpu.version().kind(), cgroups.kind());
                cgroups.apply(vm, 0.5, List.of(pool, (int) gone.pid()), pid);
                assertEquals("/vcpubal/" + vm, RealHost.cgroupOf(cpu, pid, pool));
                assertEquals(rest, RealHost.cgroupOf(cpu, pid, dedicated), "a dedicated vCPU stays out of the VM cgroup");
                assertEquals(rest, RealHost.cgroupOf(cpu, pid, pid));
                assertEquals(Long.toString(cpu.version().weight(0.5)),
                        Files.readString(dir.resolve(cpu.version().weightFile())).trim());

                cgroups.apply(vm, 1.25, List.of(pool, (int) gone.pid()), pid);
                assertEquals(Long.toString(cpu.version().weight(1.25)),
                        Files.readString(dir.resolve(cpu.version().weightFile())).trim());

                cgroups.apply(vm, 1.25, List.of(dedicated), pid);
                assertEquals(rest, RealHost.cgroupOf(cpu, pid, pool), "left the pool: back out");
                assertEquals("/vcpubal/" + vm, RealHost.cgroupOf(cpu, pid, dedicated));
            } finally {
                boolean alone = otherVmCgroups(cpu, vm).isEmpty();
                cgroups.close();
                for (int tid : List.of(pid, dedicated, pool)) {
                    assertEquals(originPath, RealHost.cgroupOf(cpu, pid, tid), "thread " + tid);
                }
                assertFalse(Files.exists(dir));
                if (alone) {
                    assertFalse(Files.exists(cpu.mount().resolve("vcpubal")));
                }
            }
        } finally {
            qemu.destroyForcibly().waitFor();
            Files.delete(origin);
        }
    }

    @Test
    void theNextRunCleansUpAfterADaemonKilledWithSigkill() throws Exception {
        CpuController cpu = RealHost.cpuControllerOrSkip();
        String vm = RealHost.uniqueVm("killed");
        Process sleep = RealHost.sleeper();
        int pid = (int) sleep.pid();
        String before = RealHost.cgroupOf(cpu, pid, pid);
        Path log = Files.createTempFile("killed-daemon", ".log");
        Process daemon = new ProcessBuilder(RealHost.javaCommand(DaemonThatGetsKilled.class, vm,
                Integer.toString(pid)))
                .redirectError(log.toFile())
                .start();
        try {
            String line;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
                    StandardCharsets.UTF_8))) {
                line = out.readLine();
                assumeTrue(!"not-owner".equals(line), "another vcpubal daemon owns this host's cgroups");
                assertEquals("applied", line, () -> "daemon said " + readQuietly(log));
                assertEquals("/vcpubal/" + vm, RealHost.cgroupOf(cpu, pid, pid));

                daemon.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
                assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
            }
            assertEquals(137, daemon.exitValue());
            assertTrue(Files.isDirectory(cpu.mount().resolve("vcpubal").resolve(vm)), "left behind");

            try (VmCgroups next = VmCgroups.open(RealHost.ROOT)) {
                assumeTrue(next.ownsHost(), "another vcpubal daemon owns this host's cgroups");
                assertFalse(Files.exists(cpu.mount().resolve("vcpubal").resolve(vm)));
                assertEquals("/", RealHost.cgroupOf(cpu, pid, pid), "where it came from died with the daemon");
            }
            assertFalse(Files.exists(cpu.mount().resolve("vcpubal")));
        } finally {
            daemon.destroyForcibly().waitFor();
            if (!"/".equals(before)) {
                // Put it back only to keep the host tidy; the process is killed right after.
                Files.writeString(cpu.dirOf(before).resolve(cpu.version().membersFile()), Integer.toString(pid));
            }
            sleep.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
    }

    private static List<Path> otherVmCgroups(CpuController cpu, String vm) throws Exception {
        Path base = cpu.mount().resolve("vcpubal");
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(base)) {
            return list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().equals(vm)).toList();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "?";
        }
    }
}
