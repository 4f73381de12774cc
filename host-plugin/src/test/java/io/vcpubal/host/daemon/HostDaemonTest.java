package io.vcpubal.host.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.cgroup.VmCgroups;
import io.vcpubal.host.backend.qmp.PausedQemuAccess;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.control.ControlClient;
import io.vcpubal.host.control.ControlServer;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon against two real (paused) QEMU processes without agents: pinning alone enforces the shares. */
class HostDaemonTest {
    @TempDir
    Path dir;

    @Test
    void pinsEachVmToItsShareAndReplansOnSetWeight() throws Exception {
        HostTopology host = HostTopology.uniform(1, 2, 1);
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        VmCgroups cgroups = VmCgroups.open(Path.of("/"));
        try (var a = PausedQemuAccess.start(dir.resolve("a"), 2); var b = PausedQemuAccess.start(dir.resolve("b"), 2)) {
            HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withVms(List.of(
                    new VmConfig("a", 1, a.qmp(), null, 0, 0), new VmConfig("b", 1, b.qmp(), null, 0, 0)));
            try (HostDaemon daemon = new HostDaemon(config, host, new QmpBackend(Duration.ofSeconds(5)),
                    CpuWeights.of(cgroups), Duration.ofSeconds(3));
                 ControlServer control = new ControlServer(config.controlSocket(), daemon)) {
                java.util.concurrent.atomic.AtomicInteger replans = new java.util.concurrent.atomic.AtomicInteger();
                daemon.reportTo(new io.vcpubal.host.metrics.DaemonEvents() {
                    @Override
                    public void round(double seconds, boolean replanned) {
                        replans.addAndGet(replanned ? 1 : 0);
                    }
                });
                daemon.start();
                await(() -> pinned(daemon, "a") && pinned(daemon, "b"));
                List<VmStatus> s = daemon.status();
                String aCpus = s.get(0).pins().get(0).cpus();
                String bCpus = s.get(1).pins().get(0).cpus();
                assertEquals(1, CpuSet.parse(aCpus).size(), "equal weights on 2 CPUs: one pCPU each");
                assertNotEquals(aCpus, bCpus);
                assertEquals(aCpus, s.get(0).pins().get(1).cpus(), "no agent: both vCPUs confined to the VM's share");
                assertEquals("no agent", s.get(0).agent());
                for (VmStatus.VcpuPin p : s.get(1).pins()) {
                    assertEquals(CpuSet.parse(bCpus), CpuSet.of(LinuxAffinity.get(p.tid())), "kernel agrees");
                }

                JsonObject req = new JsonObject();
                req.addProperty("op", "set-weight");
                req.addProperty("vm", "a");
                req.addProperty("weight", 3);
                ControlClient.request(config.controlSocket(), req);
                JsonObject status = new JsonObject();
                status.addProperty("op", "status");
                var vms = ControlClient.request(config.controlSocket(), status).getAsJsonArray("vms");
                assertEquals(1.5, vms.get(0).getAsJsonObject().get("share").getAsDouble(), 1e-9);
                assertEquals(0.5, vms.get(1).getAsJsonObject().get("share").getAsDouble(), 1e-9);
                assertEquals("balanced", vms.get(1).getAsJsonObject().get("mode").getAsString());
                // set-weight plans at once; the round that carries the new plan out counts it as a re-plan
                await(() -> replans.get() == 2);
                if (!cgroups.kind().equals("none")) {
                    // b's one pool vCPU... and both of b's threads (no agent: all confined to its pool pin)
                    int bTid = vms.get(1).getAsJsonObject().getAsJsonArray("pins").get(0).getAsJsonObject().get("tid").getAsInt();
                    await(() -> cgroupOf(bTid, cgroups).endsWith("/vcpubal/b"));
                    String weightFile = cgroups.kind().equals("v1") ? "cpu.shares" : "cpu.weight";
                    String weight = Files.readString(cgroups.controller().orElseThrow().dirOf("/vcpubal/b").resolve(weightFile)).trim();
                    assertEquals(cgroups.kind().equals("v1") ? "512" : "50", weight, "weight follows b's pool share 0.5");
                }

                req.addProperty("vm", "nope");
                var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                        () -> ControlClient.request(config.controlSocket(), req));
                assertEquals("no VM named 'nope' (known: [a, b])", e.getMessage());
            }
        }
    }

    private static String cgroupOf(int tid, VmCgroups cgroups) {
        var version = cgroups.controller().orElseThrow().version();
        return io.vcpubal.host.cgroup.ProcCgroup.read(Path.of("/"), tid, version).orElse("");
    }

    private static boolean pinned(HostDaemon d, String vm) {
        try {
            return d.status().stream().filter(s -> s.name().equals(vm)).findFirst()
                    .map(s -> s.pins().size() == 2 && s.pins().stream().allMatch(p -> CpuSet.parse(p.cpus()).size() == 1))
                    .orElse(false);
        } catch (Exception e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(50);
        }
    }
}
