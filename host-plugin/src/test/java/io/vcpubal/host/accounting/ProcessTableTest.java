package io.vcpubal.host.accounting;

import static io.vcpubal.host.accounting.Reports.S;
import static io.vcpubal.host.accounting.Reports.cls;
import static io.vcpubal.host.accounting.Reports.facts;
import static io.vcpubal.host.accounting.Reports.host;
import static io.vcpubal.host.accounting.Reports.process;
import static io.vcpubal.host.accounting.Reports.rw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.ProcessCpu;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
    static final double EPS = 1e-6;

    final ProcessTable table = new ProcessTable();

    /**
     * VM web, 2 vCPUs, overcommitted: between guest second 10 and 15 (the agent's process period is 5 s) the
     * guest counts both CPUs busy, the host ran its two vCPU threads one CPU's worth: factor 0.5.
     */
    static void overcommittedWeb(ProcessTable t, String vm) {
        List<ProcessCpu> first = List.of(process(101, "nginx", "web", 1000, 900), process(202, "backup", "", 500, 400));
        // the report before brought an older list: the one at second 10 is a new list, the rows' start
        t.offer(vm, facts(9, 400, 400).addProcesses(process(101, "nginx", "web", 100, 900)).build(),
                host(9, rw(0, 0), rw(0, 0)), 9 * S);
        t.offer(vm, facts(10, 500, 500).addAllProcesses(first).addClasses(cls("web", 1000)).build(),
                host(10, rw(0, 0), rw(0, 0)), 10 * S);
        // the list is repeated between process samples: not a new sample
        t.offer(vm, facts(11, 600, 600).addAllProcesses(first).addClasses(cls("web", 2200)).build(),
                host(11, rw(250, 0), rw(250, 0)), 11 * S);
        t.offer(vm, facts(15, 1000, 1000).addProcesses(process(101, "nginx", "web", 7000, 6000))
                .addProcesses(process(202, "backup", "", 3500, 3000)).addProcesses(process(303, "cron", "", 0, 500))
                .addClasses(cls("web", 7000)).addClasses(cls("batch", 50)).build(),
                host(15, rw(2500, 100), rw(2500, 100)), 15 * S);
    }

    @Test
    void rowsOverTheProcessIntervalScaledByTheVmsFactor() {
        overcommittedWeb(table, "web");
        TopView top = table.top(50, 15 * S);
        assertEquals(List.of(
                new TopView.ProcessRow("web", 101, "nginx", "web", 120, 60),
                new TopView.ProcessRow("web", 202, "backup", "-", 60, 30),
                new TopView.ProcessRow("web", 303, "cron", "-", 10, 5)), round(top.processes()),
                "on_cpu_ns deltas over 5 s; cron is new to the list: its cpu_ms_last_period over the interval");
        assertEquals(List.of(new TopView.ClassRow("web", "web", 120, 60), new TopView.ClassRow("web", "batch", -1, -1)),
                top.classes(), "a class new since the interval began has no delta: unknown");
        TopView.VmRow vm = top.vms().get(0);
        assertEquals(200, vm.guestBusyPercent(), EPS);
        assertEquals(100, vm.hostRunPercent(), EPS);
        assertEquals(0.5, vm.factor(), EPS);
        assertEquals(5000, vm.intervalMs());
        assertEquals((2250 + 2250 + 200) / 4000.0, vm.wantCpus(), EPS, "want over the last report interval (11 -> 15)");
        assertEquals(4500 / 4000.0 / 2, table.latest("web").orElseThrow().factor(), EPS, "the planner's view: 11 -> 15");
    }

    @Test
    void aRepeatedListIsNoNewSample() {
        List<ProcessCpu> list = List.of(process(101, "nginx", "", 1000, 900));
        table.offer("web", facts(10, 500, 500).addAllProcesses(list).build(), host(10, rw(0, 0), rw(0, 0)), 10 * S);
        table.offer("web", facts(11, 600, 600).addAllProcesses(list).build(), host(11, rw(500, 0), rw(500, 0)), 11 * S);
        assertEquals(List.of(), table.top(50, 11 * S).processes(), "no interval closed: a 0 % row would be a lie");
    }

    @Test
    void anUnchangedListPastTheLongestIntervalIsIdle() {
        ProcessTable t = new ProcessTable(64, 256, Duration.ofSeconds(20));
        List<ProcessCpu> list = List.of(process(101, "sleepy", "", 1000, 0));
        t.offer("web", facts(10, 500).addAllProcesses(list).build(), host(10, rw(0, 0)), 10 * S);
        t.offer("web", facts(30, 500).addAllProcesses(list).build(), host(30, rw(0, 0)), 30 * S);
        assertEquals(List.of(new TopView.ProcessRow("web", 101, "sleepy", "-", 0, 0)), t.top(50, 30 * S).processes());
    }

    @Test
    void boundedPerVmAndInAllBusiestFirstAcrossVms() {
        ProcessTable t = new ProcessTable(2, 3, Duration.ofSeconds(30));
        overcommittedWeb(t, "web");
        overcommittedWeb(t, "db");
        TopView top = t.top(50, 15 * S);
        assertEquals(List.of("db/101", "web/101", "db/202"), top.processes().stream().map(p -> p.vm() + "/" + p.pid())
                .toList(), "two per VM, three in all; ties by VM name");
        assertEquals(1, t.top(1, 15 * S).processes().size(), "the request's own bound");
        assertEquals(List.of("db"), t.top(1, 15 * S).vms().stream().map(TopView.VmRow::vm).toList(),
                "VM lines too: a fleet of 500 shows its busiest");
    }

    @Test
    void theFirstNewListOnlyStartsTheRows() {
        // the daemon started mid-period: the list at second 10 was sampled up to 5 s before
        table.offer("web", facts(10, 500).addProcesses(process(1, "a", "", 100, 0)).build(), host(10, rw(0, 0)), 10 * S);
        table.offer("web", facts(12, 700).addProcesses(process(1, "a", "", 5100, 0)).build(), host(12, rw(0, 0)), 12 * S);
        assertEquals(List.of(), table.top(50, 12 * S).processes(), "5 s of growth over 2 s would read 250 %");
        table.offer("web", facts(17, 900).addProcesses(process(1, "a", "", 7100, 0)).build(), host(17, rw(0, 0)), 17 * S);
        assertEquals(List.of(new TopView.ProcessRow("web", 1, "a", "-", 40, 0)), round(table.top(50, 17 * S).processes()));
    }

    @Test
    void unknownHostTimeLeavesHostTrueUnknownAndSortsByGuestView() {
        table.offer("web", facts(5, 400, 400).build(), null, 5 * S);
        table.offer("web", facts(10, 500, 500).addProcesses(process(1, "a", "", 100, 0))
                .addProcesses(process(2, "b", "", 100, 0)).build(), null, 10 * S);
        table.offer("web", facts(15, 600, 600).addProcesses(process(1, "a", "", 600, 0))
                .addProcesses(process(2, "b", "", 2100, 0)).build(), null, 15 * S);
        assertEquals(List.of(new TopView.ProcessRow("web", 2, "b", "-", 40, -1),
                new TopView.ProcessRow("web", 1, "a", "-", 10, -1)), round(table.top(50, 15 * S).processes()));
    }

    @Test
    void aGuestRebootClearsItsRows() {
        overcommittedWeb(table, "web");
        table.offer("web", facts(2, 10, 10).addProcesses(process(1, "init", "", 5, 5)).build(),
                host(16, rw(2600, 0), rw(2600, 0)), 16 * S);
        assertEquals(List.of(), table.top(50, 16 * S).processes(), "nothing before the reboot compares with after");
        assertTrue(table.latest("web").isEmpty());
    }

    @Test
    void aVmThatStoppedReportingIsStale() {
        overcommittedWeb(table, "web");
        assertEquals(3, table.top(50, 24 * S).processes().size());
        assertEquals(List.of(), table.top(50, 26 * S).processes(), "10 s after its last report (period 1 s)");
        assertEquals(List.of(), table.top(50, 26 * S).vms());
    }

    @Test
    void aForgottenVmIsGone() {
        overcommittedWeb(table, "web");
        table.forget("web");
        assertEquals(List.of(), table.top(50, 15 * S).processes());
    }

    @Test
    void aGuestThatOverstatesIsCappedAtWhatTheHostRan() {
        // 2 CPUs, busy ticks say a quarter CPU (factor 1: the guest says less than it ran), a process claims 2 CPUs
        table.offer("web", facts(9, 0, 0).build(), host(9, rw(0, 0), rw(0, 0)), 9 * S);
        table.offer("web", facts(10, 0, 0).addProcesses(process(1, "liar", "", 1, 0)).build(),
                host(10, rw(0, 0), rw(0, 0)), 10 * S);
        table.offer("web", facts(14, 100, 0).addProcesses(process(1, "liar", "", 1 + 8000, 0))
                .addProcesses(process(2, "other", "", 0, 40_000)).build(), host(14, rw(1000, 0), rw(1000, 0)), 14 * S);
        List<TopView.ProcessRow> rows = table.top(50, 14 * S).processes();
        assertEquals(200, rows.get(0).guestPercent(), EPS, "at most every online CPU (2), whatever it says");
        assertEquals(200, rows.get(1).guestPercent(), EPS);
        assertEquals(50, rows.stream().mapToDouble(TopView.ProcessRow::hostPercent).sum(), EPS,
                "together no more than the host ran its vCPUs: 2 s over 4 s");
    }

    @Test
    void namesFromTheGuestCannotDriveTheTerminal() {
        String evil = "\u001b[2J\u202eevil" + "x".repeat(40);
        table.offer("web", facts(9, 0).build(), null, 9 * S);
        table.offer("web", facts(10, 0).addProcesses(process(1, evil, "\u0007cls", 0, 0)).build(), null, 10 * S);
        table.offer("web", facts(15, 0).addProcesses(process(1, evil, "\u0007cls", 0, 100)).build(), null, 15 * S);
        TopView.ProcessRow row = table.top(50, 15 * S).processes().get(0);
        assertEquals("?[2J?evil" + "x".repeat(23), row.name());
        assertEquals("?cls", row.className());
    }

    @Test
    void theSameReportTwiceIsIgnored() {
        GuestFacts f = facts(10, 500).addProcesses(process(1, "a", "", 100, 0)).build();
        table.offer("web", f, host(10, rw(0, 0)), 10 * S);
        table.offer("web", f, host(11, rw(900, 0)), 11 * S);
        assertTrue(table.latest("web").isEmpty());
    }

    static List<TopView.ProcessRow> round(List<TopView.ProcessRow> rows) {
        return rows.stream().map(p -> new TopView.ProcessRow(p.vm(), p.pid(), p.name(), p.className(),
                Math.round(p.guestPercent() * 1e6) / 1e6, Math.round(p.hostPercent() * 1e6) / 1e6)).toList();
    }
}
