package io.vcpubal.guest.policy;

import io.vcpubal.guest.testing.FakeClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.fence.CgroupFence;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class group must never let a process out of the fence: on a 4-CPU guest (8 possible) with nginx (100,
 * 101) and a shell (200) in the root cgroup, the fence and the classes change in either order.
 */
class FenceInterplayTest {
    static final String CG = "sys/fs/cgroup/";
    static final CpuSet ALL = CpuSet.range(0, 3);

    @TempDir
    Path root;
    final List<String> writes = new ArrayList<>();
    final Set<String> failing = new HashSet<>();
    CgroupFence fence;
    ProcessClasses classes;

    @BeforeEach
    void guest() throws IOException {
        Path cg = CgroupTree.create(root);
        CgroupTree.kernelThread(root, 2, "kthreadd");
        CgroupTree.process(root, 100, 100, "nginx", "nginx: master\0", "/");
        CgroupTree.process(root, 101, 101, "nginx", "nginx: worker\0", "/");
        CgroupTree.process(root, 200, 200, "sh", "sh\0", "/");
        CgroupTree.write(root, "proc/irq/default_smp_affinity", "f\n");
        CgroupTree.write(root, "sys/devices/virtual/workqueue/cpumask", "f\n");
        fence = new CgroupFence(cg, root, CgroupTree.writer(root, writes, failing), () -> CpuSet.range(0, 7));
        ClassGroups groups = new ClassGroups(cg, CgroupTree.writer(root, writes, failing), fence, CgroupTree.remover());
        classes = new ProcessClasses(groups, new IdentityReader(root), root, 1, new FakeClock());
    }

    static SetProcessClasses web() {
        return SetProcessClasses.newBuilder().setLeaseMs(10_000)
                .addClasses(ProcessClass.newBuilder().setName("web").setComm("nginx")).build();
    }

    @Test
    void aClassMadeOnAFencedGuestGetsTheKeptCpusBeforeAProcessEnters() throws Exception {
        fence.set(CpuSet.of(2, 3), ALL);
        writes.clear();

        classes.apply(web());

        int cpuset = writes.indexOf(CG + "vcpubal.class.web/cpuset.cpus=0-1");
        assertTrue(cpuset >= 0, writes.toString());
        assertTrue(cpuset < writes.indexOf(CG + "vcpubal.class.web/cgroup.procs=100"), writes.toString());
        assertEquals(List.of("100", "101"), CgroupTree.procs(root, "/vcpubal.class.web"));
        assertEquals(List.of("200"), CgroupTree.procs(root, "/vcpubal.kept"));
    }

    @Test
    void fencingAfterTheClassesConfinesTheClassGroupsTooAndLeavesTheirProcessesThere() throws Exception {
        classes.apply(web());
        assertTrue(writes.stream().noneMatch(w -> w.contains("cpuset")), "an unfenced guest gets no cpuset: " + writes);

        fence.set(CpuSet.of(3), ALL);

        assertTrue(writes.contains(CG + "vcpubal.class.web/cpuset.cpus=0-2"), writes.toString());
        assertEquals("0-2", CgroupTree.read(root, CG + "vcpubal.kept/cpuset.cpus"));
        assertEquals(List.of("100", "101"), CgroupTree.procs(root, "/vcpubal.class.web"), "the root sweep skips classes");
        assertEquals(List.of("200"), CgroupTree.procs(root, "/vcpubal.kept"));
        assertEquals(List.of("2"), CgroupTree.procs(root, "/"));
        assertEquals("cpu cpuset", CgroupTree.read(root, CG + "cgroup.subtree_control"));
    }

    @Test
    void unfencingWidensTheClassGroupsToo() throws Exception {
        classes.apply(web());
        fence.set(CpuSet.of(2, 3), ALL);
        fence.set(CpuSet.empty(), ALL);

        assertEquals("0-7", CgroupTree.read(root, CG + "vcpubal.class.web/cpuset.cpus"));
        assertEquals("0-7", CgroupTree.read(root, CG + "vcpubal.kept/cpuset.cpus"));
    }

    @Test
    void aProcessLeavingItsClassOnAFencedGuestStaysFenced() throws Exception {
        classes.apply(web()); // found in the root, before the fence
        fence.set(CpuSet.of(2, 3), ALL);

        classes.apply(SetProcessClasses.getDefaultInstance());

        assertEquals(List.of("200", "100", "101"), CgroupTree.procs(root, "/vcpubal.kept"));
        assertEquals(List.of("2"), CgroupTree.procs(root, "/"));
    }

    @Test
    void leftoversOfAPreviousRunOnAFencedGuestGoToTheKeptGroup() throws Exception {
        fence.set(CpuSet.of(3), ALL);
        classes.apply(web());
        ProcessClasses next = new ProcessClasses(new ClassGroups(root.resolve("sys/fs/cgroup"),
                CgroupTree.writer(root, writes, failing), fence, CgroupTree.remover()), new IdentityReader(root), root, 1,
                new FakeClock());

        assertEquals(List.of("web"), next.removeLeftovers());

        assertEquals(List.of("200", "100", "101"), CgroupTree.procs(root, "/vcpubal.kept"));
    }

    @Test
    void aClassGroupThatKeepsOtherCpusFailsTheFence() throws Exception {
        classes.apply(web());
        failing.add(CG + "vcpubal.class.web/cpuset.cpus");

        IOException e = assertThrows(IOException.class, () -> fence.set(CpuSet.of(3), ALL));
        assertTrue(e.getMessage().contains("vcpubal.class.web: Input/output error"), e.getMessage());
    }

    @Test
    void aClassGroupThatCannotTakeTheKeptCpusIsNotMade() throws Exception {
        fence.set(CpuSet.of(3), ALL);
        failing.add(CG + "vcpubal.class.web/cpuset.cpus");

        var r = classes.apply(web());

        assertEquals(0, r.getClassesCount());
        assertEquals(List.of("class 'web' not applied: Input/output error"), r.getErrorsList());
        assertTrue(CgroupTree.procs(root, "/vcpubal.kept").containsAll(List.of("100", "101")));
    }
}
