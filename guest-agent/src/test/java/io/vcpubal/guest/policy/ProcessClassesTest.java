package io.vcpubal.guest.policy;

import io.vcpubal.guest.testing.FakeClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes on a fixture guest: kthreadd (2), init (1), two nginx (100, 101), a database in /services/db (300),
 * a batch job (400) and the agent itself (50, a java process) — all in the root cgroup but the database.
 */
class ProcessClassesTest {
    static final String CG = "sys/fs/cgroup/";

    @TempDir
    Path root;
    final List<String> writes = new ArrayList<>();
    final Set<String> failing = new HashSet<>();
    final FakeClock clock = new FakeClock();
    ProcessClasses classes;

    @BeforeEach
    void guest() throws IOException {
        CgroupTree.create(root);
        CgroupTree.kernelThread(root, 2, "kthreadd");
        CgroupTree.process(root, 1, 1, "init", "/sbin/init\0", "/");
        CgroupTree.process(root, 50, 40, "java", "java\0-jar\0vcpubal-agent.jar\0", "/");
        CgroupTree.process(root, 100, 100, "nginx", "nginx: master\0", "/");
        CgroupTree.process(root, 101, 101, "nginx", "nginx: worker\0", "/");
        CgroupTree.process(root, 300, 300, "postgres", "postgres\0-D\0/data\0", "/services/db");
        CgroupTree.process(root, 400, 400, "batch", "batch\0--all\0", "/");
        classes = classes();
    }

    ProcessClasses classes() {
        ClassGroups groups = new ClassGroups(root.resolve("sys/fs/cgroup"), CgroupTree.writer(root, writes, failing),
                CpuFence.unavailable("test"), CgroupTree.remover());
        return new ProcessClasses(groups, new IdentityReader(root), root, 50, clock);
    }

    static ProcessClass.Builder web() {
        return ProcessClass.newBuilder().setName("web").setComm("nginx").setCpuWeight(400);
    }

    static ProcessClass.Builder low() {
        return ProcessClass.newBuilder().setName("low").setCmdline("batch *").setIdle(true).setQuotaUs(50_000);
    }

    static SetProcessClasses set(ProcessClass.Builder... cs) {
        SetProcessClasses.Builder b = SetProcessClasses.newBuilder().setLeaseMs(10_000);
        for (ProcessClass.Builder c : cs) {
            b.addClasses(c);
        }
        return b.build();
    }

    @Test
    void applyWritesTheGroupsAndMovesEveryMatchingProcess() throws Exception {
        ProcessClassesResult r = classes.apply(set(web(), low()));

        assertEquals(List.of(
                CG + "cgroup.subtree_control=+cpu",
                CG + "vcpubal.class.web/cpu.weight=400",
                CG + "vcpubal.class.web/cpu.max=max 100000",
                CG + "vcpubal.class.low/cpu.weight=100",
                CG + "vcpubal.class.low/cpu.idle=1",
                CG + "vcpubal.class.low/cpu.max=50000 100000"),
                writes.stream().filter(w -> !w.contains("cgroup.procs")).toList(), "settings, in order");
        assertEquals(List.of(
                CG + "vcpubal.class.low/cgroup.procs=400",
                CG + "vcpubal.class.web/cgroup.procs=100",
                CG + "vcpubal.class.web/cgroup.procs=101"),
                writes.stream().filter(w -> w.contains("cgroup.procs")).sorted().toList(), "then the moves");
        assertEquals("cpu", CgroupTree.read(root, CG + "cgroup.subtree_control"));
        assertEquals(List.of("100", "101"), CgroupTree.procs(root, "/vcpubal.class.web"));
        assertEquals(List.of("2", "1", "50"), CgroupTree.procs(root, "/"), "kernel threads and the agent stay");
        assertEquals(List.of(), r.getErrorsList());
        assertEquals(10_000, r.getLeaseRemainingMs());
        assertEquals(List.of("web", "low"), r.getClassesList().stream().map(ClassState::getName).toList());
        assertEquals(ClassState.newBuilder().setName("low").setProcesses(1).setIdle(true).setQuotaUs(50_000)
                .setCpuWeight(100).build(), r.getClasses(1));
        assertEquals(Optional.of("web"), classes.classOf(101));
        assertEquals(Optional.empty(), classes.classOf(50));
    }

    @Test
    void cpuStatIsReadBack() throws Exception {
        classes.apply(set(web()));
        CgroupTree.write(root, CG + "vcpubal.class.web/cpu.stat",
                "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\nnr_periods 0\nnr_throttled 0\nthrottled_usec 789\n");
        ClassState s = classes.states().get(0);
        assertEquals(123_456, s.getUsageUs());
        assertEquals(789, s.getThrottledUs());
        assertEquals(2, s.getProcesses());
        assertEquals(400, s.getCpuWeight());
    }

    @Test
    void aRefusedRequestLeavesTheTreeUntouched() throws Exception {
        classes.apply(set(web()));
        writes.clear();
        String before = CgroupTree.snapshot(root);

        assertThrows(ClassSpecs.Refusal.class, () -> classes.apply(set(web(), low().setCpuWeight(20_000))));
        assertThrows(ClassSpecs.Refusal.class, () -> classes.apply(set(web(), web())));

        assertEquals(before, CgroupTree.snapshot(root));
        assertEquals(List.of(), writes);
        assertEquals(List.of("web"), classes.states().stream().map(ClassState::getName).toList());
    }

    @Test
    void removingAClassMovesItsProcessesBackToWhereTheyWere() throws Exception {
        classes.apply(set(web(), ProcessClass.newBuilder().setName("db").setCgroup("/services")));
        assertEquals(List.of("300"), CgroupTree.procs(root, "/vcpubal.class.db"));

        classes.apply(set(web()));

        assertEquals(List.of("300"), CgroupTree.procs(root, "/services/db"));
        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.db")));
        assertEquals(List.of("100", "101"), CgroupTree.procs(root, "/vcpubal.class.web"));

        ProcessClassesResult r = classes.apply(SetProcessClasses.getDefaultInstance());
        assertEquals(0, r.getClassesCount());
        assertEquals(0, r.getLeaseRemainingMs());
        assertEquals(List.of("2", "1", "50", "400", "100", "101"), CgroupTree.procs(root, "/"));
        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.web")));
    }

    @Test
    void anOriginThatIsGoneSendsTheProcessToTheRoot() throws Exception {
        classes.apply(set(ProcessClass.newBuilder().setName("db").setComm("postgres")));
        Files.delete(root.resolve(CG + "services/db/cgroup.procs"));
        Files.delete(root.resolve(CG + "services/db"));

        classes.apply(SetProcessClasses.getDefaultInstance());

        assertTrue(CgroupTree.procs(root, "/").contains("300"));
    }

    @Test
    void aFailedWriteIsReportedForItsClassAndTheOthersApply() throws Exception {
        failing.add(CG + "vcpubal.class.low/cpu.max");

        ProcessClassesResult r = classes.apply(set(web(), low()));

        assertEquals(List.of("class 'low' not applied: Input/output error"), r.getErrorsList());
        assertEquals(List.of("web"), r.getClassesList().stream().map(ClassState::getName).toList());
        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.low")), "a class is in force whole or not at all");
        assertEquals(List.of("100", "101"), CgroupTree.procs(root, "/vcpubal.class.web"));
        assertTrue(CgroupTree.procs(root, "/").contains("400"));
        assertEquals(10_000, r.getLeaseRemainingMs());
    }

    @Test
    void theLeaseRunsOutAndEveryClassGoes() throws Exception {
        classes.apply(set(web()));
        clock.advanceMillis(9_999);
        classes.scan();
        assertEquals(1, classes.states().size());
        assertEquals(1, classes.millisUntilExpiry().getAsLong());

        clock.advanceMillis(1);
        classes.scan();

        assertEquals(List.of(), classes.states());
        assertTrue(classes.millisUntilExpiry().isEmpty());
        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.web")));
        assertTrue(CgroupTree.procs(root, "/").containsAll(List.of("100", "101")));
    }

    @Test
    void sendingTheSameSetAgainRenewsTheLeaseWithoutWrites() throws Exception {
        classes.apply(set(web()));
        clock.advanceMillis(8_000);
        writes.clear();

        ProcessClassesResult r = classes.apply(set(web()));

        assertEquals(List.of(), writes);
        assertEquals(10_000, r.getLeaseRemainingMs());
        clock.advanceMillis(9_000);
        classes.scan();
        assertEquals(1, classes.states().size());
    }

    @Test
    void processesStartedLaterAreClassifiedOnTheNextScan() throws Exception {
        classes.apply(set(web()));
        CgroupTree.process(root, 102, 500, "nginx", "nginx: worker\0", "/");
        CgroupTree.process(root, 103, 501, "sh", "sh\0", "/");
        writes.clear();

        classes.scan();

        assertEquals(List.of(CG + "vcpubal.class.web/cgroup.procs=102"), writes);
        writes.clear();
        classes.scan();
        assertEquals(List.of(), writes, "a steady guest: nothing written");
    }

    @Test
    void aChildSeenBeforeItsExecIsDecidedAgainOnceItSettles() throws Exception {
        classes.apply(set(low()));
        // A shell forks; the agent reads the child before it execs the batch job: it looks like the shell.
        CgroupTree.process(root, 410, 700, "sh", "sh\0/tmp/job.sh\0", "/");
        classes.scan();
        assertEquals(List.of("400"), CgroupTree.procs(root, "/vcpubal.class.low"));
        ProcFixture.process(root, 410, 700, "batch", "batch\0--nightly\0", "/");

        classes.scan(); // sooner than SETTLE: read again, now matches
        assertEquals(List.of("400", "410"), CgroupTree.procs(root, "/vcpubal.class.low"));

        // Settled: a much later exec is not looked for (it would cost a read of every process every period).
        clock.advanceMillis(ProcessClasses.SETTLE.toMillis());
        classes.scan();
        ProcFixture.process(root, 410, 700, "sh", "sh\0", "/vcpubal.class.low");
        writes.clear();
        classes.scan();
        assertEquals(List.of(), writes);
    }

    @Test
    void anExecAfterTheFirstSightingIsSeenAtTheFirstPassAfterSettle() throws Exception {
        classes.apply(set(low()));
        CgroupTree.process(root, 410, 700, "sh", "sh\0/tmp/job.sh\0", "/");
        classes.scan();
        clock.advanceMillis(ProcessClasses.SETTLE.toMillis() - 1);
        classes.scan(); // unsettled still, nothing changed yet
        ProcFixture.process(root, 410, 700, "batch", "batch\0--nightly\0", "/");
        clock.advanceMillis(5_000); // a long report period: the next pass is much later

        classes.scan();

        assertEquals(List.of("400", "410"), CgroupTree.procs(root, "/vcpubal.class.low"));
    }

    @Test
    void aClassThatGetsItsFirstProcessWokeOnce() throws Exception {
        classes.apply(set(web(), ProcessClass.newBuilder().setName("batch").setComm("batchjob")));
        assertTrue(classes.woke(), "web got the guest's nginx");
        assertFalse(classes.woke(), "once per wake-up; batch has no process yet");
        CgroupTree.process(root, 102, 500, "batchjob", "batchjob\0", "/");
        classes.scan();
        assertTrue(classes.woke(), "batch has its first process: report at once");
        assertFalse(classes.woke());
        CgroupTree.process(root, 104, 502, "batchjob", "batchjob\0", "/");
        classes.scan();
        assertFalse(classes.woke(), "a second process is no wake-up");
    }

    @Test
    void aChildThatDoesNotMatchGoesBackToItsParentsOrigin() throws Exception {
        classes.apply(set(ProcessClass.newBuilder().setName("db").setComm("postgres")));
        // postgres forks a helper that execs something else: it starts in the class group.
        CgroupTree.process(root, 301, 600, "archiver", "archiver\0", "/vcpubal.class.db");
        Files.writeString(root.resolve("proc/301/stat"),
                Files.readString(root.resolve("proc/301/stat")).replace("S 1 301", "S 300 301"));

        classes.scan();

        assertEquals(List.of("301"), CgroupTree.procs(root, "/services/db"));
        assertEquals(List.of("300"), CgroupTree.procs(root, "/vcpubal.class.db"));
    }

    @Test
    void aReusedPidIsDecidedAgain() throws Exception {
        classes.apply(set(web()));
        clock.advanceMillis(ProcessClasses.SETTLE.toMillis());
        classes.scan(); // everything settled
        // 101 exits and a shell gets its pid, born in the class group (forked by nginx 100, then exec'd sh).
        ProcFixture.process(root, 101, 900, "sh", "sh\0", "/vcpubal.class.web");
        writes.clear();

        classes.scan();

        // Unchanged group membership: the cache cannot see it. A move by someone else can.
        assertEquals(List.of(), writes);
        Files.writeString(root.resolve(CG + "vcpubal.class.web/cgroup.procs"), "100\n");
        Files.writeString(root.resolve(CG + "cgroup.procs"), "101\n", java.nio.file.StandardOpenOption.APPEND);
        ProcFixture.process(root, 101, 900, "nginx", "nginx: worker\0", "/");
        classes.scan();
        assertEquals(List.of(CG + "vcpubal.class.web/cgroup.procs=101"), writes, "moved out by someone: back in");
    }

    @Test
    void changedRulesMoveProcessesThatNoLongerMatchBack() throws Exception {
        classes.apply(set(web()));
        classes.apply(set(web().setComm("httpd")));
        assertEquals(List.of(), CgroupTree.procs(root, "/vcpubal.class.web"));
        assertTrue(CgroupTree.procs(root, "/").containsAll(List.of("100", "101")));
        assertEquals(Optional.empty(), classes.classOf(100));
    }

    @Test
    void theFirstMatchingRuleWins() throws Exception {
        classes.apply(set(ProcessClass.newBuilder().setName("workers").setCmdline("nginx: worker"),
                ProcessClass.newBuilder().setName("all-nginx").setComm("nginx")));
        assertEquals(List.of("101"), CgroupTree.procs(root, "/vcpubal.class.workers"));
        assertEquals(List.of("100"), CgroupTree.procs(root, "/vcpubal.class.all-nginx"));
    }

    @Test
    void leftoversOfAPreviousRunAreRemovedAtStart() throws Exception {
        classes.apply(set(web()));
        ProcessClasses next = classes(); // the agent died; a new one starts

        assertEquals(List.of("web"), next.removeLeftovers());

        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.web")));
        assertTrue(CgroupTree.procs(root, "/").containsAll(List.of("100", "101")));
        assertEquals(List.of(), next.removeLeftovers());
    }

    @Test
    void stoppingRemovesEveryClassAndRefusesMore() throws Exception {
        classes.apply(set(web(), low()));
        classes.removeAllAndStop();
        assertTrue(CgroupTree.procs(root, "/").containsAll(List.of("100", "101", "400")));
        assertFalse(Files.exists(root.resolve(CG + "vcpubal.class.low")));
        assertThrows(ClassSpecs.Refusal.class, () -> classes.apply(set(web())));
    }

    @Test
    void idleToNotIdleWritesIdleBeforeTheWeight() throws Exception {
        classes.apply(set(low()));
        writes.clear();
        classes.apply(set(low().setIdle(false).setCpuWeight(50)));
        assertEquals(List.of(
                CG + "vcpubal.class.low/cpu.idle=0",
                CG + "vcpubal.class.low/cpu.weight=50",
                CG + "vcpubal.class.low/cpu.max=50000 100000"), writes);
    }
}
