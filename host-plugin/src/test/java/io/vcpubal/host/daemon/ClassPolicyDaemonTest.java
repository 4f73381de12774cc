package io.vcpubal.host.daemon;

import static io.vcpubal.host.daemon.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.ScriptedAgent.Mode;
import io.vcpubal.host.policy.ClassConfig;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process policies through the daemon: scripted guests report class usage, the daemon sends each guest its
 * classes with the settings the class planner gives (idle-time quota, weights), renews them, and takes them
 * away on stop.
 */
class ClassPolicyDaemonTest {

    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private HostDaemon daemon;
    private ScriptedAgent a;
    private ScriptedAgent b;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** A report at second {@code s}: {@code busy} CPUs of 2 busy so far in all, {@code cls} used {@code clsCpuS} CPU-seconds. */
    private static GuestFacts facts(double s, double busyCpuS, String cls, double clsCpuS) {
        GuestFacts.Builder f = GuestFacts.newBuilder().setMonotonicNs((long) (s * 1e9)).setUserHz(100).setPeriodMs(1000);
        for (int cpu = 0; cpu < 2; cpu++) {
            f.addCpuTicks(CpuTicks.newBuilder().setCpu(cpu).setUserTicks((long) (busyCpuS * 50)).setIdleTicks(100));
        }
        return f.addClasses(ClassState.newBuilder().setName(cls).setUsageUs((long) (clsCpuS * 1e6))).build();
    }

    /** VM a with a low class, b with a high one, both agents scripted and offering classes; started. */
    private HostConfig startLowAndHigh() throws Exception {
        RecordingBackend backend = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        a = new ScriptedAgent(dir.resolve("a.agent"), loop, 2, CpuSet.parse("1"), 1, Mode.APPLY);
        b = new ScriptedAgent(dir.resolve("b.agent"), loop, 2, CpuSet.parse("1"), 1, Mode.APPLY);
        a.classes = true;
        b.classes = true;
        HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withReconcileIntervalMs(300)
                .withVms(List.of(new VmConfig("a", 256, dir.resolve("a.qmp"), dir.resolve("a.agent"), 0, 0),
                        new VmConfig("b", 256, dir.resolve("b.qmp"), dir.resolve("b.agent"), 0, 0)))
                .withClasses(List.of(ClassConfig.parse("name=batch,vm=a,comm=batch*,importance=low,shares=256"),
                        ClassConfig.parse("name=web,vm=b,cmdline=*web*,importance=high,shares=768")));
        daemon = new HostDaemon(config, HostTopology.uniform(1, 2, 1), backend, CpuWeights.none(), Duration.ofMillis(500));
        daemon.start();
        return config;
    }

    @Test
    void aLowClassGetsOnlyWhatABusyHighClassLeavesAndEverythingWhenItIdles() throws Exception {
        HostConfig config = startLowAndHigh();

        // both idle: each guest gets its classes, the low one without a limit
        await("both guests got their classes", () -> !a.classCommands.isEmpty() && !b.classCommands.isEmpty());
        ProcessClass batch = last(a).getClasses(0);
        assertEquals("batch", batch.getName());
        assertEquals("batch*", batch.getComm());
        assertTrue(batch.getIdle(), "a low class is cpu.idle in its guest");
        assertEquals(0, batch.getQuotaUs(), "nothing else busy: no limit");
        assertEquals(config.leaseMs(), last(a).getLeaseMs());
        ProcessClass web = last(b).getClasses(0);
        assertEquals("*web*", web.getCmdline());
        assertEquals(300, web.getCpuWeight(), "100 × 768 / 256 against the rest of b");
        assertEquals(1, last(b).getClassesCount(), "a guest gets only the classes of its VM");

        // b's high class takes both CPUs: a's batch is held to the kernel's smallest quota
        for (int s = 1; s <= 3; s++) {
            a.report(facts(s, s * 2.0, "batch", s * 2.0));
            b.report(facts(s, s * 2.0, "web", s * 2.0));
            Thread.sleep(300);
        }
        await("a's batch throttled", () -> last(a).getClasses(0).getQuotaUs() == 1_000);

        // b goes idle: after the hold a's batch is unlimited again
        for (int s = 4; s <= 9; s++) {
            a.report(facts(s, s * 2.0, "batch", s * 2.0));
            b.report(facts(s, 6, "web", 6));
            Thread.sleep(700);
        }
        await("a's batch unlimited again", () -> last(a).getClasses(0).getQuotaUs() == 0);

        // renewals keep the lease alive; a stop takes the classes away
        int before = a.classCommands.size();
        daemon.close();
        daemon = null;
        assertTrue(a.classCommands.size() > before, "the stop sent a's guest an empty class set");
        assertEquals(0, last(a).getClassesCount());
    }

    @Test
    void aBurstOfReportsMakesAtMostOneClassPlanCheckPerRoundSpacing() throws Exception {
        startLowAndHigh();
        await("both guests got their classes", () -> !a.classCommands.isEmpty() && !b.classCommands.isEmpty());
        long before = daemon.classPlanChecks();
        long t0 = System.nanoTime();
        int reports = 0;
        for (int s = 1; s <= 100; s++) {
            a.report(facts(s, s * 2.0, "batch", s * 2.0));
            b.report(facts(s, 6, "web", 6));
            reports += 2;
            Thread.sleep(5);
        }
        Thread.sleep(2 * HostDaemon.MIN_ROUND_SPACING_MS);
        double spacings = (System.nanoTime() - t0) / 1e6 / HostDaemon.MIN_ROUND_SPACING_MS;
        long checks = daemon.classPlanChecks() - before;
        // (a report that arrives while a round is pending needs no check at all: that round plans from it)
        assertTrue(checks <= spacings + 1, checks + " checks for " + reports + " reports over " + spacings + " round spacings");
    }

    @Test
    void aGuestThatDoesNotOfferClassesGetsNone() throws Exception {
        RecordingBackend backend = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11);
        a = new ScriptedAgent(dir.resolve("a.agent"), loop, 2, CpuSet.parse("1"), 1, Mode.APPLY);
        HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withReconcileIntervalMs(300)
                .withVms(List.of(new VmConfig("a", 256, dir.resolve("a.qmp"), dir.resolve("a.agent"), 0, 0)))
                .withClasses(List.of(ClassConfig.parse("name=batch,comm=batch,importance=low")));
        daemon = new HostDaemon(config, HostTopology.uniform(1, 2, 1), backend, CpuWeights.none(), Duration.ofMillis(500));
        daemon.start();
        await("a planned", () -> daemon.planOf("a") != null);
        Thread.sleep(1_000);
        assertTrue(a.classCommands.isEmpty(), "never sent: " + a.classCommands);
    }

    private static SetProcessClasses last(ScriptedAgent agent) {
        return agent.classCommands.get(agent.classCommands.size() - 1);
    }
}
