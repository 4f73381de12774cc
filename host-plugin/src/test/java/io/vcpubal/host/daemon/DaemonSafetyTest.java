package io.vcpubal.host.daemon;

import static io.vcpubal.host.daemon.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.ScriptedAgent.Mode;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's safety rules with guests and QEMUs that misbehave on purpose: a {@link RecordingBackend} plays
 * the hypervisor, {@link ScriptedAgent}s play the guests over real Unix sockets.
 */
class DaemonSafetyTest {

    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private HostDaemon daemon;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        for (AutoCloseable c : toClose) {
            c.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private ScriptedAgent agent(String vm, int vcpus, String offlinable, int floor, Mode mode) {
        ScriptedAgent a = new ScriptedAgent(dir.resolve(vm + ".agent"), loop, vcpus, CpuSet.parse(offlinable), floor, mode);
        toClose.add(a);
        return a;
    }

    private VmConfig vm(String name, int weight, boolean withAgent) {
        return new VmConfig(name, weight, dir.resolve(name + ".qmp"), withAgent ? dir.resolve(name + ".agent") : null, 0, 0);
    }

    private HostDaemon start(HostTopology host, RecordingBackend backend, VmConfig... vms) {
        HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withReconcileIntervalMs(300)
                .withVms(List.of(vms));
        daemon = new HostDaemon(config, host, backend, CpuWeights.none(), Duration.ofMillis(500));
        daemon.start();
        return daemon;
    }

    private VmStatus status(String vm) {
        return daemon.status().stream().filter(s -> s.name().equals(vm)).findFirst().orElseThrow();
    }

    /** Every thread of every VM inside its plan's pCPUs, and no two VMs' dedicated pCPUs shared. */
    private boolean confined(RecordingBackend b, String... vms) {
        List<CpuSet> dedicated = new ArrayList<>();
        for (String vm : vms) {
            VmPlan p = planOf(vm);
            if (p == null) {
                return false;
            }
            for (int v = 0; v < status(vm).vcpus(); v++) {
                if (!b.pin(vm, v).isSubsetOf(p.cpus())) {
                    return false;
                }
            }
            dedicated.add(p.dedicatedCpus());
        }
        for (int i = 0; i < dedicated.size(); i++) {
            for (int j = i + 1; j < dedicated.size(); j++) {
                if (dedicated.get(i).intersects(dedicated.get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    private VmPlan planOf(String vm) {
        return daemon.planOf(vm);
    }

    @Test
    void aGuestWhoseFloorIsAllItsCpusIsNotAskedAndStaysOnItsOwnPcpus() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        ScriptedAgent a = agent("a", 2, "1", 2, Mode.APPLY); // the guest admin's floor: 2
        ScriptedAgent other = agent("b", 2, "1", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("b ballooned to one vCPU", () -> other.online.equals(CpuSet.of(0)));
        await("both confined", () -> confined(b, "a", "b"));
        CpuSet aPcpu = planOf("a").cpus();
        assertEquals(List.of(aPcpu, aPcpu), List.of(b.pin("a", 0), b.pin("a", 1)), "a's two vCPUs stack on its pCPU");
        assertFalse(b.held("b").intersects(aPcpu), "b's pCPU is shared with nobody");
        assertEquals(List.of(), a.requests, "the host knows the floor from the Hello and asks nothing");
    }

    @Test
    void aGuestThatRefusesIsConfinedToItsOwnPcpusAndNotAskedAgainAndAgain() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        ScriptedAgent a = agent("a", 2, "1", 1, Mode.REFUSE);
        ScriptedAgent other = agent("b", 2, "1", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("b ballooned to one vCPU", () -> other.online.equals(CpuSet.of(0)));
        await("a asked and refused", () -> !a.requests.isEmpty() && status("a").lastError() != null);
        await("both confined", () -> confined(b, "a", "b"));
        CpuSet aPcpu = planOf("a").cpus();
        assertEquals(List.of(aPcpu, aPcpu), List.of(b.pin("a", 0), b.pin("a", 1)));
        assertFalse(b.held("b").intersects(aPcpu), "b's pCPU is shared with nobody");
        Thread.sleep(1500); // five more rounds
        assertEquals(List.of("0"), a.requests, "a refused request is not repeated while nothing changed");
        assertTrue(status("a").lastError().contains("REFUSED"), status("a").lastError());
    }

    @Test
    void aSilentGuestCostsOnlyItselfAndStatusAnswersAtOnce() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        ScriptedAgent a = agent("a", 2, "1", 1, Mode.SILENT);
        ScriptedAgent other = agent("b", 2, "1", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("a asked (and silent)", () -> !a.requests.isEmpty());
        await("b ballooned", () -> other.online.equals(CpuSet.of(0)));
        await("both confined", () -> confined(b, "a", "b"));
        long t0 = System.nanoTime();
        daemon.status();
        daemon.setWeight("b", 3);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 1000, "status and set-weight took " + ms + " ms while a guest hangs");
        await("b grows to 2 vCPUs", () -> other.online.equals(CpuSet.range(0, 1)));
        await("confined after the change", () -> confined(b, "a", "b"));
    }

    @Test
    void withoutAnAgentEveryThreadIsConfinedToTheVmsDedicatedPcpus() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 3)).vm("a", 4, 11).vm("b", 4, 12);
        start(HostTopology.uniform(1, 4, 1), b, vm("a", 1, false), vm("b", 1, false));
        await("confined", () -> confined(b, "a", "b"));
        VmPlan a = planOf("a");
        assertEquals(List.of(a.vcpuPins().get(0), a.vcpuPins().get(1), a.dedicatedCpus(), a.dedicatedCpus()),
                List.of(b.pin("a", 0), b.pin("a", 1), b.pin("a", 2), b.pin("a", 3)),
                "all vCPUs are online without an agent: two get slots, the rest share a's dedicated pCPUs");
    }

    @Test
    void setsNotCountsAProtectedCpuKeepsItsSlot() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 3)).vm("a", 4, 11).vm("b", 4, 12);
        ScriptedAgent a = agent("a", 4, "1-2", 1, Mode.APPLY); // cpu3 protected by the guest admin
        agent("b", 4, "1-3", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 4, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("a at 0,3", () -> a.online.equals(CpuSet.of(0, 3)));
        assertEquals(List.of("0,3"), a.requests, "the host asked for the exact set, once");
        VmPlan p = planOf("a");
        await("pinned", () -> b.pin("a", 3).equals(p.vcpuPins().get(1)));
        assertEquals(p.vcpuPins().get(0), b.pin("a", 0));
        assertEquals(p.dedicatedCpus(), b.pin("a", 1), "offline vCPUs stay inside a's pCPUs");
    }

    @Test
    void aGuestThatOnlinesCpusBehindTheHostsBackIsReassertedWithinARound() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        ScriptedAgent a = agent("a", 2, "1", 1, Mode.APPLY);
        agent("b", 2, "1", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("a at 0", () -> a.online.equals(CpuSet.of(0)));
        a.online = CpuSet.range(0, 1); // a udev rule onlined cpu1 on an "add" event
        a.report();
        await("re-asserted", () -> a.requests.size() == 2 && a.online.equals(CpuSet.of(0)));
        assertTrue(confined(b, "a", "b"));
    }

    @Test
    void aQmpFailureKeepsTheLastPinsAndNobodyMovesIn() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 3)).vm("a", 4, 11).vm("b", 4, 12);
        start(HostTopology.uniform(1, 4, 1), b, vm("a", 1, false), vm("b", 1, false));
        await("confined", () -> confined(b, "a", "b"));
        List<CpuSet> aPins = List.of(b.pin("a", 0), b.pin("a", 1), b.pin("a", 2), b.pin("a", 3));
        b.failObserve.put("a", "QMP: no answer within 2000 ms");
        await("a shows the failure", () -> status("a").lastError() != null
                && status("a").lastError().contains("no answer"));
        Thread.sleep(1000); // three more rounds
        assertEquals(aPins, List.of(b.pin("a", 0), b.pin("a", 1), b.pin("a", 2), b.pin("a", 3)), "a keeps its pins");
        assertEquals(2.0, status("a").share(), 1e-9, "a keeps its share while its QEMU runs");
        assertFalse(b.held("b").intersects(b.held("a")), "nobody moves onto a's pCPUs");
        daemon.setWeight("b", 3);
        await("re-planned around a, a's threads still inside a's plan", () -> status("b").share() == 3.0
                && confined(b, "a", "b") && b.held("b").size() == 3);

        b.failObserve.put("gone", "11"); // now the process is gone
        await("b takes all pCPUs", () -> b.held("b").equals(CpuSet.range(0, 3)));
        assertEquals("-", status("a").mode());
    }

    @Test
    void aVcpuThreadThatIsNotTheVmsTaskIsNotPinnedAndStatusSaysDegraded() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        b.foreignThread.put("a", 1);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, false), vm("b", 1, false));
        await("a's accepted thread pinned", () -> planOf("a") != null && b.pin("a", 0).isSubsetOf(planOf("a").cpus())
                && !b.pin("a", 0).equals(CpuSet.range(0, 1)));
        VmStatus a = status("a");
        assertEquals(11, a.pid());
        assertEquals(List.of("vCPU 1: thread 1 is not a task of QEMU 11"), a.degraded());
        assertEquals(List.of(0), a.pins().stream().map(VmStatus.VcpuPin::vcpu).toList(), "only verified threads shown");
        assertEquals(CpuSet.range(0, 1), b.pin("a", 1), "the unverified thread is never touched");
        assertEquals(List.of(), status("b").degraded());
    }

    @Test
    void aRestartedQemuIsRepinnedWithinSeconds() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, false), vm("b", 1, false));
        await("confined", () -> confined(b, "a", "b"));
        b.restart("a", 21);
        long t0 = System.nanoTime();
        await("new threads pinned", () -> status("a").pins().get(0).tid() == 2100 && confined(b, "a", "b"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5000, "re-pinned after " + ms + " ms");
    }

    @Test
    void aHungQemuCostsOnlyItsOwnVmATimeout() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 3)).vm("a", 4, 11).vm("b", 4, 12).vm("c", 4, 13);
        start(HostTopology.uniform(1, 4, 1), b, vm("a", 1, false), vm("b", 1, false), vm("c", 2, false));
        await("confined", () -> confined(b, "a", "b", "c"));
        CountDownLatch hang = new CountDownLatch(1);
        b.hangObserve.put("a", hang);
        try {
            await("a's observation timed out", () -> status("a").lastError() != null);
            long t0 = System.nanoTime();
            daemon.status();
            daemon.setWeight("c", 1);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000);
            await("b and c re-planned and pinned while a hangs", () -> planOf("c").share() < 1.5 && confined(b, "b", "c"));
            assertTrue(status("a").lastError().contains("no answer"), status("a").lastError());
        } finally {
            hang.countDown();
        }
    }

    @Test
    void closeGivesEveryGuestItsCpusBackAndReleasesEveryThread() throws Exception {
        RecordingBackend b = new RecordingBackend(CpuSet.range(0, 1)).vm("a", 2, 11).vm("b", 2, 12);
        ScriptedAgent a = agent("a", 2, "1", 1, Mode.APPLY);
        ScriptedAgent other = agent("b", 2, "1", 1, Mode.APPLY);
        start(HostTopology.uniform(1, 2, 1), b, vm("a", 1, true), vm("b", 1, true));
        await("ballooned", () -> a.online.equals(CpuSet.of(0)) && other.online.equals(CpuSet.of(0)));
        daemon.close();
        daemon = null;
        assertEquals(CpuSet.range(0, 1), a.online);
        assertEquals(CpuSet.range(0, 1), other.online);
        assertTrue(b.log.contains("a released") && b.log.contains("b released"), b.log.toString());
        int logged = b.log.size();
        Thread.sleep(700);
        assertEquals(logged, b.log.size(), "no round after close");
        assertEquals(CpuSet.range(0, 1), b.held("a"));
    }
}
