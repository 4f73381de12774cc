package io.vcpubal.host.backend.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.AffinityLedger;
import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import java.util.BitSet;
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
    void observesPinsAndRestoresTheThreadsOfARealQemu() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 2);
             QmpBackend backend = new QmpBackend(Duration.ofSeconds(10))) {
            backend.attach(new VmConfig("vm0", 1, qemu.qmp, null, 0, 0));
            VmProcess p = backend.observe("vm0");
            assertEquals(qemu.process.pid(), p.pid(), "the QEMU pid comes from the QMP socket's peer credentials");
            assertEquals(2, p.vcpus().size());
            assertEquals(2, p.reportedVcpus());
            assertFalse(p.degraded());
            assertTrue(backend.stillRunning(p));
            CpuSet before = backend.affinity(p.vcpu(1));

            int last = Runtime.getRuntime().availableProcessors() - 1;
            backend.pinVcpu("vm0", p, p.vcpu(0), CpuSet.of(0));
            backend.pinVcpu("vm0", p, p.vcpu(1), CpuSet.of(last));
            assertEquals(CpuSet.of(0), backend.affinity(p.vcpu(0)));
            assertEquals(CpuSet.of(last), backend.affinity(p.vcpu(1)));

            backend.pinEmulator("vm0", p, CpuSet.of(last));
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(qemu.process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    int tid = Integer.parseInt(task.getFileName().toString());
                    if (tid != p.vcpu(0).threadId()) {
                        assertEquals(CpuSet.of(last), CpuSet.of(LinuxAffinity.get(tid)), "thread " + tid);
                    }
                }
            }
            assertEquals(CpuSet.of(0), backend.affinity(p.vcpu(0)), "vCPU 0 is not an emulator thread");

            backend.release("vm0");
            assertEquals(before, backend.affinity(p.vcpu(0)), "release restores each thread's original affinity");
            assertEquals(before, backend.affinity(p.vcpu(1)));
        }
    }

    @Test
    void aDaemonKilledBeforeReleaseLeavesTheOriginalsForTheNextOne() throws Exception {
        AffinityLedger ledger = AffinityLedger.in(dir.resolve("state/affinity"));
        try (PausedQemu qemu = new PausedQemu(dir, 2)) {
            int last = Runtime.getRuntime().availableProcessors() - 1;
            VmConfig vm = new VmConfig("vm0", 1, qemu.qmp, null, 0, 0);
            QmpBackend killed = new QmpBackend(Duration.ofSeconds(10), ledger);
            killed.attach(vm);
            VmProcess p = killed.observe("vm0");
            CpuSet before = killed.affinity(p.vcpu(0));
            killed.pinVcpu("vm0", p, p.vcpu(0), CpuSet.of(last));
            killed.pinVcpu("vm0", p, p.vcpu(1), CpuSet.of(last));
            assertTrue(Files.exists(dir.resolve("state/affinity/vm0.affinity")));
            // SIGKILL: no release. The next daemon pins again, then stops properly.
            try (QmpBackend next = new QmpBackend(Duration.ofSeconds(10), ledger)) {
                next.attach(vm);
                VmProcess q = next.observe("vm0");
                next.pinVcpu("vm0", q, q.vcpu(0), CpuSet.of(0));
                next.release("vm0");
                assertEquals(before, next.affinity(q.vcpu(0)), "what the thread had before the first daemon");
                assertEquals(before, next.affinity(q.vcpu(1)), "a thread only the dead daemon pinned is restored too");
            }
            assertFalse(Files.exists(dir.resolve("state/affinity/vm0.affinity")), "nothing left after release");
        }
    }

    @Test
    void aThreadThatIsNotATaskOfTheQemuProcessIsNeverPinned() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 1);
             QmpBackend backend = new QmpBackend(Duration.ofSeconds(10))) {
            backend.attach(new VmConfig("vm0", 1, qemu.qmp, null, 0, 0));
            VmProcess p = backend.observe("vm0");
            int mine = LinuxAffinity.currentTid();
            BitSet mask = LinuxAffinity.get(mine);
            VmProcess lying = new VmProcess(p.pid(), p.startTicks(), 1, List.of(new VcpuThread(0, mine)), List.of());
            BackendException e = assertThrows(BackendException.class,
                    () -> backend.pinVcpu("vm0", lying, lying.vcpu(0), CpuSet.of(0)));
            assertTrue(e.getMessage().contains("no longer a task of QEMU process " + p.pid()), e.getMessage());
            assertEquals(mask, LinuxAffinity.get(mine), "this test's own thread was not touched");
        }
    }

    @Test
    void aPidfileThatNamesAnotherProcessIsRefused() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 1);
             QmpBackend backend = new QmpBackend(Duration.ofSeconds(10))) {
            Path pidfile = dir.resolve("qemu.pid");
            Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
            backend.attach(new VmConfig("vm0", 1, qemu.qmp, null, pidfile, 0, 0));
            BackendException e = assertThrows(BackendException.class, () -> backend.observe("vm0"));
            assertTrue(e.getMessage().contains("belongs to process " + qemu.process.pid()), e.getMessage());
            Files.writeString(pidfile, qemu.process.pid() + "\n");
            assertEquals(qemu.process.pid(), backend.observe("vm0").pid());
        }
    }

    @Test
    void aVmThatIsGoneFailsAloneWithItsName() throws Exception {
        try (QmpBackend backend = new QmpBackend(Duration.ofSeconds(2))) {
            backend.attach(new VmConfig("ghost", 1, dir.resolve("none.qmp"), null, 0, 0));
            BackendException e = assertThrows(BackendException.class, () -> backend.observe("ghost"));
            assertTrue(e.getMessage().startsWith("VM ghost:"), e.getMessage());
        }
    }
}
