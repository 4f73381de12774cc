package io.vcpubal.host.backend.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real QEMU process: pins are read back from the kernel. */
class QmpBackendTest {
    @TempDir
    Path dir;

    @Test
    void pinsVcpusAndEmulatorThreadsOfARealQemu() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 2);
             QmpBackend backend = new QmpBackend(Duration.ofSeconds(10))) {
            backend.attach(new VmConfig("vm0", 1, qemu.qmp, null, 0, 0));
            List<VcpuThread> vcpus = backend.vcpuThreads("vm0");
            assertEquals(2, vcpus.size());
            assertEquals(qemu.process.pid(), backend.processOf(vcpus.get(0).threadId()));

            int last = Runtime.getRuntime().availableProcessors() - 1;
            backend.pinVcpu("vm0", 0, CpuSet.of(0));
            backend.pinVcpu("vm0", 1, CpuSet.of(last));
            assertEquals(CpuSet.of(0), backend.vcpuAffinity("vm0", 0));
            assertEquals(CpuSet.of(last), backend.vcpuAffinity("vm0", 1));

            backend.pinEmulator("vm0", CpuSet.of(last));
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(qemu.process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    int tid = Integer.parseInt(task.getFileName().toString());
                    if (tid != vcpus.get(0).threadId()) {
                        assertEquals(CpuSet.of(last), CpuSet.of(LinuxAffinity.get(tid)), "thread " + tid);
                    }
                }
            }
            assertEquals(CpuSet.of(0), backend.vcpuAffinity("vm0", 0), "vCPU 0 is not an emulator thread");

            BackendException e = assertThrows(BackendException.class, () -> backend.pinVcpu("vm0", 7, CpuSet.of(0)));
            assertTrue(e.getMessage().contains("has no vCPU 7"), e.getMessage());
        }
    }

    @Test
    void aVmThatIsGoneFailsAloneWithItsName() throws Exception {
        try (QmpBackend backend = new QmpBackend(Duration.ofSeconds(2))) {
            backend.attach(new VmConfig("ghost", 1, dir.resolve("none.qmp"), null, 0, 0));
            BackendException e = assertThrows(BackendException.class, () -> backend.vcpuThreads("ghost"));
            assertTrue(e.getMessage().startsWith("VM ghost:"), e.getMessage());
        }
    }
}
