package io.vcpubal.guest.policy.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.policy.ClassSpecs;
import io.vcpubal.guest.testing.FakeClock;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classes as units' properties: what is set, refused, read back and put back, and when. */
class UnitClassesTest {
    private static final int LEASE_MS = 10_000;

    @TempDir
    Path root;
    FakeSystemd systemd;
    final FakeClock clock = new FakeClock();
    UnitClasses classes;

    @BeforeEach
    void guest() throws IOException {
        systemd = new FakeSystemd(root).unit("batch.service", true, "[not set]", "infinity")
                .unit("web.service", true, "200", "infinity").unit("idle.service", false, "[not set]", "infinity");
        write("sys/fs/cgroup/cpu.stat", "usage_usec 9000000\n");
        write("sys/fs/cgroup/system.slice/batch.service/cgroup.procs", "101\n102\n");
        write("sys/fs/cgroup/system.slice/batch.service/cpu.stat", "usage_usec 4000\nthrottled_usec 300\n");
        write("sys/fs/cgroup/system.slice/batch.service/cpu.idle", "1\n");
        write("sys/fs/cgroup/system.slice/batch.service/cpu.max", "25000 100000\n");
        write("sys/fs/cgroup/system.slice/web.service/cgroup.procs", "");
        write("sys/fs/cgroup/system.slice/web.service/worker/cgroup.procs", "201\n");
        write("proc/101/cgroup", "0::/system.slice/batch.service\n");
        write("proc/201/cgroup", "0::/system.slice/web.service/worker\n");
        write("proc/301/cgroup", "0::/system.slice/cron.service\n");
        classes = new UnitClasses(systemd, root, root.resolve("sys/fs/cgroup"), "vcpubal-agent.service", clock);
    }

    private void write(String rel, String text) throws IOException {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    private static ProcessClass unit(String name, String unit, int weight, boolean idle, int quotaUs) {
        return ProcessClass.newBuilder().setName(name).setUnit(unit).setCpuWeight(weight).setIdle(idle)
                .setQuotaUs(quotaUs).build();
    }

    private ProcessClassesResult apply(ProcessClass... cs) throws ClassSpecs.Refusal {
        return classes.apply(SetProcessClasses.newBuilder().addAllClasses(List.of(cs)).setLeaseMs(LEASE_MS).build());
    }

    @Test
    void aUnitClassSetsTheUnitsPropertiesAfterRecordingItsOwnOnDisk() throws Exception {
        ProcessClassesResult r = apply(unit("batch", "batch.service", 0, true, 25_000), unit("web", "web.service", 300, false, 0));
        assertEquals(List.of(), r.getErrorsList());
        assertEquals(List.of("show", "--property=LoadState,Slice,ControlGroup,CPUWeight,CPUQuotaPerSecUSec", "--",
                "batch.service", "web.service"), systemd.calls.get(0), "one show for both units");
        assertEquals(3, systemd.calls.size());
        assertEquals(List.of(List.of("set-property", "--runtime", "--", "batch.service", "CPUWeight=idle", "CPUQuota=25%"),
                List.of("set-property", "--runtime", "--", "web.service", "CPUWeight=300", "CPUQuota=")), systemd.setCalls());
        assertEquals(List.of(true, true), systemd.originalsOnDiskAtSet, "the originals are on disk before each change");
        assertEquals("idle", systemd.weight("batch.service"));
        assertEquals("250ms", systemd.quota("batch.service"));
        ClassState batch = r.getClasses(0);
        assertEquals("batch", batch.getName());
        assertEquals(2, batch.getProcesses());
        assertEquals(4000, batch.getUsageUs());
        assertEquals(300, batch.getThrottledUs());
        assertTrue(batch.getIdle());
        assertEquals(25_000, batch.getQuotaUs());
        assertEquals(1, r.getClasses(1).getProcesses(), "a process in a sub-group of the unit counts");
        assertEquals(LEASE_MS, r.getLeaseRemainingMs());
    }

    @Test
    void removingAClassPutsTheUnitBackAsTheOperatorHadIt() throws Exception {
        apply(unit("batch", "batch.service", 0, true, 25_000), unit("web", "web.service", 300, false, 0));
        apply(unit("batch", "batch.service", 0, true, 25_000));
        assertEquals("200", systemd.weight("web.service"), "the operator's CPUWeight=200 is back");
        assertEquals("idle", systemd.weight("batch.service"));
        classes.apply(SetProcessClasses.getDefaultInstance());
        assertEquals("[not set]", systemd.weight("batch.service"));
        assertEquals("infinity", systemd.quota("batch.service"));
        assertFalse(Files.exists(root.resolve(UnitOriginals.FILE)), "nothing left to put back");
    }

    @Test
    void theSameSetAgainOnlyRenewsTheLease() throws Exception {
        apply(unit("batch", "batch.service", 0, true, 25_000));
        int calls = systemd.calls.size();
        clock.advanceMillis(6_000);
        ProcessClassesResult r = apply(unit("batch", "batch.service", 0, true, 25_000));
        assertEquals(calls, systemd.calls.size(), "no systemctl call for a renewal");
        assertEquals(LEASE_MS, r.getLeaseRemainingMs());
        apply(unit("batch", "batch.service", 0, true, 50_000));
        assertEquals(List.of("set-property", "--runtime", "--", "batch.service", "CPUWeight=idle", "CPUQuota=50%"),
                systemd.calls.get(systemd.calls.size() - 1), "a new quota is one set-property, no show");
    }

    @Test
    void classesMatchingProcessesAreRefusedOneByOneWithTheReason() throws Exception {
        ProcessClassesResult r = apply(ProcessClass.newBuilder().setName("spin").setComm("spin*").build(),
                unit("mine", "vcpubal-agent.service", 1, false, 0), unit("all", "-.slice", 1, false, 0),
                unit("batch", "batch.service", 0, true, 0), unit("again", "batch.service", 50, false, 0),
                unit("ghost", "ghost.service", 0, false, 0), unit("odd", "batch.target", 0, false, 0));
        assertEquals(List.of("batch"), r.getClassesList().stream().map(ClassState::getName).toList());
        List<String> e = r.getErrorsList();
        assertEquals(6, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("class 'spin' not applied: systemd runs this guest"), e.get(0));
        assertTrue(e.get(1).contains("the agent's own"), e.get(1));
        assertTrue(e.get(2).contains("the whole guest"), e.get(2));
        assertTrue(e.get(3).contains("another class's"), e.get(3));
        assertTrue(e.get(4).contains("not a service, scope or slice"), e.get(4));
        // refusals first, then what systemd said
        assertTrue(e.get(5).contains("'ghost.service' is not loaded (not-found)"), e.get(5));
    }

    @Test
    void aUnitSystemdRefusesIsPutBackAndTheOthersApply() throws Exception {
        systemd.failing.add("web.service");
        ProcessClassesResult r = apply(unit("batch", "batch.service", 0, true, 0), unit("web", "web.service", 300, false, 0));
        assertEquals(List.of("batch"), r.getClassesList().stream().map(ClassState::getName).toList());
        assertTrue(r.getErrors(0).contains("Access denied"), r.getErrors(0));
        assertEquals(List.of("batch.service"), List.copyOf(new UnitOriginals(root).load().keySet()),
                "no record is left of the unit that was not changed");
    }

    @Test
    void anExpiredLeasePutsEveryUnitBack() throws Exception {
        apply(unit("batch", "batch.service", 0, true, 25_000));
        clock.advanceMillis(LEASE_MS - 1);
        classes.scan();
        assertEquals("idle", systemd.weight("batch.service"));
        clock.advanceMillis(1);
        classes.scan();
        assertEquals("[not set]", systemd.weight("batch.service"));
        assertEquals(List.of(), classes.states());
        assertEquals(Optional.empty().isPresent(), classes.millisUntilExpiry().isPresent());
    }

    @Test
    void theNextAgentPutsBackWhatADeadOneLeft() throws Exception {
        apply(unit("web", "web.service", 300, false, 10_000));
        UnitClasses next = new UnitClasses(systemd, root, root.resolve("sys/fs/cgroup"), "vcpubal-agent.service", clock);
        assertEquals(List.of("web.service"), next.removeLeftovers());
        assertEquals("200", systemd.weight("web.service"));
        assertEquals("infinity", systemd.quota("web.service"));
        assertEquals(List.of(), next.removeLeftovers(), "once");
    }

    @Test
    void stoppingPutsBackAndRefusesMore() throws Exception {
        apply(unit("batch", "batch.service", 0, true, 0));
        classes.removeAllAndStop();
        assertEquals("[not set]", systemd.weight("batch.service"));
        assertThrows(ClassSpecs.Refusal.class, () -> apply(unit("batch", "batch.service", 0, true, 0)));
    }

    @Test
    void aProcessIsInTheClassOfTheUnitWhoseCgroupHoldsIt() throws Exception {
        apply(unit("batch", "batch.service", 0, true, 0), unit("web", "web.service", 300, false, 0),
                unit("late", "idle.service", 0, false, 0));
        assertEquals(Optional.of("batch"), classes.classOf(101));
        assertEquals(Optional.of("web"), classes.classOf(201), "in a sub-group of its unit");
        assertEquals(Optional.empty(), classes.classOf(301));
        assertEquals(Optional.empty(), classes.classOf(999), "exited");
        assertEquals(9_000_000, classes.totalUsageUs());
        assertEquals(0, classes.states().get(2).getProcesses(), "a unit not running has no group yet");
    }

    @Test
    void aUnitThatGetsItsFirstProcessWakesItsClass() throws Exception {
        apply(unit("late", "idle.service", 0, false, 0));
        assertFalse(classes.woke());
        write("sys/fs/cgroup/system.slice/idle.service/cgroup.procs", "401\n");
        assertTrue(classes.woke());
        assertFalse(classes.woke(), "once");
    }

    @Test
    void theAgentsUnitIsTheLastComponentOfItsCgroup() throws IOException {
        write("proc/77/cgroup", "0::/system.slice/vcpubal-agent.service\n");
        assertEquals("vcpubal-agent.service", UnitClasses.unitOf(root.resolve("proc"), 77));
        assertEquals("", UnitClasses.unitOf(root.resolve("proc"), 78));
    }
}
