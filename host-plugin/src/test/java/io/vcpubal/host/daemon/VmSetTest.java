package io.vcpubal.host.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.VmDiscovery;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The set of VMs changing while the daemon runs: add-vm, remove-vm, SIGHUP's reload, a discovering backend. */
class VmSetTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final HostTopology TWO_CPUS = HostTopology.uniform(1, 2, 1);
    private static final CpuSet ALL = CpuSet.range(0, 1);

    @TempDir
    Path dir;
    private HostDaemon daemon;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private VmConfig vm(String name, int weight) {
        return new VmConfig(name, weight, dir.resolve(name + ".qmp"), null, 0, 0);
    }

    private HostDaemon start(RecordingBackend backend, VmConfig... vms) {
        HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withReconcileIntervalMs(300)
                .withVms(List.of(vms));
        daemon = new HostDaemon(config, TWO_CPUS, backend, CpuWeights.none(), Duration.ofMillis(500));
        daemon.start();
        return daemon;
    }

    private double share(String vm) {
        return daemon.planOf(vm) == null ? 0 : daemon.planOf(vm).share();
    }

    @Test
    void aVmAddedAtRunTimeIsPlannedWithTheOthersAndARemovedOneGivesItsShareBack() throws Exception {
        RecordingBackend b = new RecordingBackend(ALL).vm("a", 2, 10).vm("b", 2, 20);
        start(b, vm("a", 1));
        await(() -> share("a") == 2.0);
        daemon.addVm(vm("b", 1));
        await(() -> share("a") == 1.0 && share("b") == 1.0 && b.held("b").size() == 1);
        assertThrows(IllegalArgumentException.class, () -> daemon.addVm(vm("b", 1)), "a name is managed once");

        daemon.removeVm("b");
        assertTrue(b.log.contains("b released"), "its threads got their affinity back: " + b.log);
        assertEquals(List.of("a"), daemon.status().stream().map(VmStatus::name).toList());
        await(() -> share("a") == 2.0 && b.held("a").equals(ALL));
        assertThrows(IllegalArgumentException.class, () -> daemon.removeVm("b"));
    }

    @Test
    void reloadAppliesTheConfigAndLeavesVmsAddedByHandAlone() throws Exception {
        RecordingBackend b = new RecordingBackend(ALL).vm("a", 2, 10).vm("b", 2, 20).vm("c", 2, 30).vm("d", 2, 40);
        start(b, vm("a", 1), vm("b", 1));
        daemon.addVm(vm("c", 1));
        daemon.reload(List.of(vm("a", 4), vm("d", 2)));
        assertEquals(List.of("a", "c", "d"), daemon.status().stream().map(VmStatus::name).sorted().toList());
        assertEquals(4, daemon.status().stream().filter(s -> s.name().equals("a")).findFirst().orElseThrow().weight(),
                "a changed in place");
        assertTrue(b.log.contains("b released"));
        await(() -> Math.abs(share("a") + share("c") + share("d") - 2.0) < 1e-9 && share("a") > share("d") && share("d") > share("c"));
    }

    @Test
    void aVmWhoseQemuExitedIsReleasedAfterTheGraceInsteadOfRetriedForever() throws Exception {
        RecordingBackend b = new RecordingBackend(ALL).vm("a", 2, 10).vm("b", 2, 20);
        start(b, vm("a", 1), vm("b", 1));
        daemon.goneGraceMs = 1500;
        await(() -> share("a") == 1.0 && share("b") == 1.0);
        b.failObserve.put("b", "QEMU exited");
        b.failObserve.put("gone", "20");
        await(() -> share("a") == 2.0);
        assertTrue(daemon.status().stream().anyMatch(s -> s.name().equals("b")), "kept a while: it may come back");
        await(() -> daemon.status().stream().noneMatch(s -> s.name().equals("b")));
        assertNull(daemon.planOf("b"));
    }

    /** A backend that finds its VMs: the test plays libvirt's events. */
    static final class DiscoveringBackend extends RecordingBackend implements VmDiscovery {
        volatile Listener listener;
        final Map<String, Integer> persisted = new ConcurrentHashMap<>();
        final List<String> hints = new java.util.concurrent.CopyOnWriteArrayList<>();

        DiscoveringBackend() {
            super(ALL);
        }

        @Override
        public void startDiscovery(Listener l) {
            listener = l;
        }

        @Override
        public void hint(String vm, String event) {
            hints.add(vm + " " + event);
        }

        @Override
        public void persistWeight(String vm, int weight) {
            persisted.put(vm, weight);
        }
    }

    @Test
    void aDiscoveringBackendNeedsNoConfigAndItsVmsComeAndGo() throws Exception {
        DiscoveringBackend b = new DiscoveringBackend();
        b.vm("x", 2, 10).vm("y", 2, 20);
        start(b);
        assertThrows(IllegalArgumentException.class, () -> daemon.addVm(vm("z", 1)), "its VMs are found, not added");
        b.listener.found(new VmConfig("x", 1024, null, null, null, 0, 0));
        b.listener.found(new VmConfig("y", 1024, null, null, null, 0, 0));
        await(() -> share("x") == 1.0 && share("y") == 1.0);
        b.listener.found(new VmConfig("y", 3072, null, null, null, 0, 0));
        await(() -> share("y") == 1.5);
        daemon.setWeight("x", 3072);
        assertEquals(3072, b.persisted.get("x"), "set-weight is written where the weight is read from");
        daemon.notifyEvent("x", "started");
        assertEquals(List.of("x started"), b.hints);
        b.listener.lost("x", "the domain is no longer running");
        await(() -> share("y") == 2.0 && daemon.status().size() == 1);
        assertTrue(b.log.contains("x released"));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + T.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
