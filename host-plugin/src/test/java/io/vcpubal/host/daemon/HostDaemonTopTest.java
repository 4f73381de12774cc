package io.vcpubal.host.daemon;

import static io.vcpubal.host.daemon.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.ProcessCpu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon feeds every guest report to its accounting, demand-aware or not, and answers top from it. */
class HostDaemonTopTest {
    /** A pid whose vCPU threads (pid * 100 + n) exceed any pid_max: the host side is unknown, as for a gone QEMU. */
    static final int NO_SUCH_QEMU = 999_999;

    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private HostDaemon daemon;
    private ScriptedAgent agent;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        if (agent != null) {
            agent.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void reportsBecomeRowsEvenWithoutDemandAwarePlans() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("web", 2, NO_SUCH_QEMU);
        agent = new ScriptedAgent(dir.resolve("web.agent"), loop, 2, CpuSet.parse("1"), 1, ScriptedAgent.Mode.APPLY);
        HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withReconcileIntervalMs(300)
                .withDemandAware(false)
                .withVms(List.of(new VmConfig("web", 1, dir.resolve("web.qmp"), dir.resolve("web.agent"), 0, 0)));
        daemon = new HostDaemon(config, HostTopology.uniform(1, 2, 1), b, CpuWeights.none(), Duration.ofMillis(500));
        daemon.start();
        await("agent connected", () -> "connected".equals(daemon.status().get(0).agent()));
        await("QEMU observed", () -> daemon.status().get(0).pid() == NO_SUCH_QEMU);
        agent.report(facts(5, 50, process(7, "nginx", 100)));
        Thread.sleep(300); // the link keeps facts at most every 100 ms (the shortest period the proto allows)
        agent.report(facts(10, 100, process(7, "nginx", 1_000)));
        Thread.sleep(300);
        // reports arrive in order: the list at 10 starts the rows (a new list); the next one 5 s later on the
        // guest's clock, nginx ran 2.5 s of it
        await("a row", () -> {
            agent.report(facts(15, 350, process(7, "nginx", 3_500)));
            return !daemon.top(10).processes().isEmpty();
        });
        TopView top = daemon.top(10);
        assertEquals(List.of(new TopView.ProcessRow("web", 7, "nginx", "-", 50, -1)), top.processes(),
                "guest view from on_cpu_ns; host-true unknown: its vCPU threads cannot be read");
        assertEquals(-1, top.vms().get(0).factor());
        assertTrue(daemon.hostAccounting("web").isPresent());
        daemon.removeVm("web");
        assertEquals(List.of(), daemon.top(10).processes(), "a removed VM's rows go with it");
    }

    static GuestFacts facts(double atS, long busyTicks, ProcessCpu... processes) {
        return GuestFacts.newBuilder().setMonotonicNs((long) (atS * 1e9)).setUserHz(100).setPeriodMs(1000)
                .setOnlineCpus("0-1")
                .addCpuTicks(CpuTicks.newBuilder().setCpu(0).setUserTicks(busyTicks).setIdleTicks(1000))
                .addCpuTicks(CpuTicks.newBuilder().setCpu(1).setUserTicks(busyTicks).setIdleTicks(1000))
                .addAllProcesses(List.of(processes)).build();
    }

    static ProcessCpu process(int pid, String name, long onCpuMs) {
        return ProcessCpu.newBuilder().setPid(pid).setName(name).setOnCpuNs(onCpuMs * 1_000_000).build();
    }
}
