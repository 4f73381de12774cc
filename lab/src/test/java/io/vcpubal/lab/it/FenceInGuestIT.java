package io.vcpubal.lab.it;

import static io.vcpubal.lab.it.InGuest.await;
import static io.vcpubal.lab.it.InGuest.online;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestCommandException;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.link.LinkTicker;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import io.vcpubal.lab.apps.SpinApp;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.BalloonMode;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.SetOnlineVcpus;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fence mode in a real 4-vCPU guest (busybox init, no systemd: the agent mounts cgroup v2 itself) with a
 * 4-thread busy Java process running throughout: confinement of every task and of new ones, what the JDK
 * and nproc see, refusals, the lease, agent restart and stop, and the figures of the fence issue (change
 * latency against hotplug in the same guest, host CPU of fenced vCPU threads, interrupts on fenced CPUs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FenceInGuestIT {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String GROUP = "/sys/fs/cgroup/vcpubal.kept";
    private static final long SETTLE_MS = 500;

    private Lab lab;
    private Guest guest;
    private EventLoopGroup loop;
    private GuestLink link;
    private Path agentLog;
    private Path spinLog;

    @BeforeAll
    void bootGuestWithAgentAndABusyApp() throws Exception {
        lab = Lab.start(GuestSpec.of("fence-guest", 4));
        guest = lab.guest("fence-guest");
        agentLog = InGuest.startAgent(guest, "--floor", "2", "--verbose");
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        link = connect();
        spinLog = InGuest.startApp(guest, SpinApp.class, "4"); // after the agent: spinning slows a JVM's start
        await("the JDK in the guest sees 4: " + lastSpinLine(), Duration.ofSeconds(120), () -> lastSpinLine().equals("cpus=4"));
    }

    private GuestLink connect() throws InterruptedException {
        GuestLink l = new GuestLink("fence-guest", guest.agentSocket(), new LinkTicker(loop), x -> { });
        await("agent answers Hello; agent log:\n" + InGuest.text(agentLog), Duration.ofSeconds(120),
                () -> l.state() == AgentState.CONNECTED);
        return l;
    }

    @AfterAll
    void tearDown() {
        if (link != null) {
            link.close();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void theAgentAdvertisesFenceMode() {
        var info = link.guestInfo().orElseThrow();
        assertTrue(info.getBalloonModesList().contains(BalloonMode.BALLOON_MODE_FENCE), info.toString());
        assertEquals("", info.getFencedCpus());
    }

    @Test
    @Order(2)
    void fencingTwoOfFourConfinesEveryTaskAndWhatTheJdkSees() throws Exception {
        SetOnlineVcpusResult r = balloon("0-1", BalloonMode.BALLOON_MODE_FENCE, 60_000);
        assertEquals("0-3", r.getOnlineCpus(), "fenced CPUs stay online");
        assertEquals("2-3", r.getFencedCpus());
        assertEquals("0-3", online(guest), "the guest kernel agrees");

        await("the JDK in the guest sees 2: " + lastSpinLine(), T, () -> lastSpinLine().equals("cpus=2"));
        Thread.sleep(1000);
        List<String> outside = tasksOutside(CpuSet.of(0, 1));
        assertEquals(List.of(), outside, "tasks allowed on or running on a fenced CPU");
        String fresh = guest.exec("nproc; grep Cpus_allowed_list /proc/self/status", T).requireOk().stdout();
        assertEquals("2\nCpus_allowed_list:\t0-1", fresh.strip(), "a process forked after the fence is confined too");
        await("facts report the fence", T, () -> link.latestFacts().map(f -> f.getFencedCpus().equals("2-3")).orElse(false));
    }

    @Test
    @Order(3)
    void theFiguresOfAFencedGuest() throws Exception {
        long qemu = guest.pid();
        Map<Integer, Long> before = vcpuTicks(qemu);
        String irqBefore = guest.exec("cat /proc/interrupts", T).requireOk().stdout();
        List<Task> wakesBefore = tasks();
        long start = System.nanoTime();
        Thread.sleep(30_000);
        String irqAfter = guest.exec("cat /proc/interrupts", T).requireOk().stdout();
        List<Task> wakesAfter = tasks();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Integer, Long> after = vcpuTicks(qemu);
        StringBuilder threads = new StringBuilder();
        for (int cpu : after.keySet()) {
            threads.append(String.format(" vCPU%d %.2f%%", cpu, (after.get(cpu) - before.getOrDefault(cpu, 0L)) / seconds));
        }
        System.out.printf("lab: fence: host CPU of each vCPU thread over %.0f s (%% of one pCPU; 2-3 fenced, 0-1 busy):%s%n",
                seconds, threads);
        System.out.println("lab: fence: interrupts per second, fenced CPUs 2-3 vs kept CPUs 0-1, busy 4-thread workload: "
                + interruptRates(irqBefore, irqAfter, seconds));
        System.out.println("lab: fence: per-CPU kernel threads of CPUs 2-3 that ran, context switches per second: "
                + switchRates(wakesBefore, wakesAfter, seconds));
        assertTrue(after.keySet().containsAll(List.of(0, 1, 2, 3)), "QEMU names its vCPU threads: " + after);
    }

    @Test
    @Order(4)
    void fenceAgainstHotplugInTheSameGuest() throws Exception {
        // Idle guest first (the busy app stopped): the cost of the mechanism; then with 4 spinning threads.
        guest.exec("pkill -STOP -f " + SpinApp.class.getName(), T).requireOk();
        try {
            compare("idle guest");
            printLast(2, "; fence tasks", "lab: fence phases before the answer (idle guest), last change: ");
            printLast(2, "CgroupFence - fence ", "lab: fence steering after the answer (idle guest), last change: ");
        } finally {
            guest.exec("pkill -CONT -f " + SpinApp.class.getName(), T).requireOk();
        }
        compare("4 busy threads");
        assertEquals("0-3", online(guest));
    }

    /** Prints the part after {@code marker} of the agent's last {@code n} log lines that hold it. */
    private void printLast(int n, String marker, String prefix) {
        List<String> hits = InGuest.lines(agentLog).stream().filter(l -> l.contains(marker)).toList();
        hits.subList(Math.max(0, hits.size() - n), hits.size()).forEach(l -> System.out.println(prefix
                + l.substring(l.indexOf(marker)).replaceFirst("^(; fence |CgroupFence - fence |VcpuBalloon - )", "")));
    }

    private void compare(String load) throws Exception {
        long[][] fence = changes(BalloonMode.BALLOON_MODE_FENCE);
        printLast(2, "VcpuBalloon - balloon phases: ", "lab: fence (" + load + "), last shrink and grow, agent's ");
        long[][] hotplug = changes(BalloonMode.BALLOON_MODE_HOTPLUG);
        printLast(2, "VcpuBalloon - balloon phases: ", "lab: hotplug (" + load + "), last shrink and grow, agent's ");
        String[] what = {"shrink 4->2 host round trip", "shrink 4->2 inside the agent", "grow 2->4 host round trip",
                "grow 2->4 inside the agent"};
        for (int i = 0; i < what.length; i++) {
            long f = median(fence[i]);
            long h = median(hotplug[i]);
            System.out.printf("lab: fence vs hotplug (%s), %s: fence median %d us, hotplug median %d us, hotplug/fence %.1fx%n",
                    load, what[i], f, h, (double) h / Math.max(1, f));
        }
    }

    /** Five shrinks and grows in {@code mode}; rows: shrink round trip, shrink in agent, grow round trip, grow in agent (us). */
    private long[][] changes(BalloonMode mode) throws Exception {
        long[][] out = new long[4][5];
        for (int i = 0; i < 5; i++) {
            // Settled before each change (the steering after a fence and hotplug's own aftermath done), as a
            // balloon driven by 1 s reports would find it.
            Thread.sleep(SETTLE_MS);
            long start = System.nanoTime();
            SetOnlineVcpusResult r = balloon("0-1", mode, 60_000);
            out[0][i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            out[1][i] = r.getElapsedUs();
            Thread.sleep(SETTLE_MS);
            start = System.nanoTime();
            r = balloon("0-3", mode, 0);
            out[2][i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            out[3][i] = r.getElapsedUs();
            assertEquals("0-3", r.getOnlineCpus());
            assertEquals("", r.getFencedCpus());
        }
        return out;
    }

    @Test
    @Order(5)
    void aFenceBelowTheFloorIsRefusedAndChangesNothing() throws Exception {
        GuestCommandException e = errorOf(() -> balloon("0", BalloonMode.BALLOON_MODE_FENCE, 60_000));
        assertEquals(Error.Code.REFUSED, e.code());
        assertTrue(e.getMessage().contains("floor"), e.getMessage());
        assertEquals("0-3", cpusetCpus(), "unfenced: every CPU");
        assertEquals(List.of(), tasksOutside(CpuSet.range(0, 3)));
        assertEquals("cpus=4", lastSpinLine());
    }

    @Test
    @Order(6)
    void hotplugModeTurnsAFenceIntoOfflineCpus() throws Exception {
        balloon("0-1", BalloonMode.BALLOON_MODE_FENCE, 60_000);
        SetOnlineVcpusResult r = balloon("0-1", BalloonMode.BALLOON_MODE_HOTPLUG, 60_000);
        assertEquals("0-1", r.getOnlineCpus());
        assertEquals("", r.getFencedCpus());
        assertEquals("0-1", online(guest));
        SetOnlineVcpusResult grown = balloon("0-3", BalloonMode.BALLOON_MODE_HOTPLUG, 0);
        assertEquals("0-3", grown.getOnlineCpus());
        assertEquals("", grown.getFencedCpus(), "CPUs onlined again are usable, not fenced");
        assertEquals("0-3", cpusetCpus());
    }

    @Test
    @Order(7)
    void anExpiredLeaseUnfences() throws Exception {
        balloon("0-1", BalloonMode.BALLOON_MODE_FENCE, 2_000);
        assertEquals("0-1", cpusetCpus());
        long start = System.nanoTime();
        await("lease expiry unfences", T, () -> cpusetCpus().equals("0-3"));
        System.out.printf("lab: fence: 2 s lease expired, guest unfenced %d ms after the fence%n", InGuest.elapsedMs(start));
        await("the JDK sees 4 again: " + lastSpinLine(), T, () -> lastSpinLine().equals("cpus=4"));
        assertEquals(List.of(), tasksOutside(CpuSet.range(0, 3)));
    }

    @Test
    @Order(8)
    void aRestartedAgentUndoesTheFenceOfAKilledOneAndSigtermUndoesItsOwn() throws Exception {
        balloon("0-1", BalloonMode.BALLOON_MODE_FENCE, 600_000);
        guest.exec("pkill -KILL -f vcpubal-agent.jar", T);
        Thread.sleep(1000);
        assertEquals("0-1", cpusetCpus(), "a killed agent cannot undo anything");

        agentLog = InGuest.startAgent(guest, "--floor", "2");
        await("the new agent unfences at start-up; log:\n" + InGuest.text(agentLog), Duration.ofSeconds(120),
                () -> cpusetCpus().equals("0-3"));
        await("the JDK sees 4 again: " + lastSpinLine(), T, () -> lastSpinLine().equals("cpus=4"));

        link.close();
        link = connect();
        balloon("0-1", BalloonMode.BALLOON_MODE_FENCE, 600_000);
        guest.exec("pkill -TERM -f vcpubal-agent.jar", T);
        await("the agent stops", T, () -> !guest.exec("pgrep -f vcpubal-agent.jar", T).stdout().strip().matches("(?s).*[0-9].*"));
        String left = guest.exec("test -d " + GROUP + " && cat " + GROUP + "/cpuset.cpus " + GROUP + "/cgroup.procs || echo gone",
                T).stdout().strip();
        System.out.println("lab: fence: after SIGTERM the agent's group is " + (left.equals("gone") ? "removed" : "left: " + left));
        assertTrue(left.equals("gone") || left.startsWith("0-3"), "SIGTERM unfences: " + left + "\nagent log:\n"
                + InGuest.text(agentLog));
        assertEquals(List.of(), tasksOutside(CpuSet.range(0, 3)));
    }

    private SetOnlineVcpusResult balloon(String cpus, BalloonMode mode, int leaseMs) throws Exception {
        return link.send(Command.newBuilder().setSetOnlineVcpus(SetOnlineVcpus.newBuilder()
                .setCpus(cpus).setLeaseMs(leaseMs).setMode(mode)), T).get(60, TimeUnit.SECONDS);
    }

    private String cpusetCpus() {
        return guest.exec("cat " + GROUP + "/cpuset.cpus 2>/dev/null", T).stdout().strip();
    }

    /**
     * Every task of every user process whose allowed CPUs are not within {@code kept}, and every spinning
     * thread that last ran outside it (sleeping threads keep the CPU they last ran on, so only busy ones
     * show where tasks run now).
     */
    private List<String> tasksOutside(CpuSet kept) {
        List<String> outside = new ArrayList<>();
        for (Task t : tasks()) {
            if (t.ppid() != 2 && t.pid() != 2 && !kept.containsAll(t.allowed())) {
                outside.add(t.toString());
            }
        }
        String spin = guest.exec("for p in $(pgrep -f " + SpinApp.class.getName() + "); do cat /proc/$p/task/*/stat 2>/dev/null; done; true",
                T).requireOk().stdout();
        for (String line : spin.split("\n")) {
            int close = line.lastIndexOf(')');
            if (close < 0 || !line.contains("(spin-")) {
                continue;
            }
            int cpu = Integer.parseInt(line.substring(close + 2).split(" ")[36]);
            if (!kept.contains(cpu)) {
                outside.add("spinning thread last ran on cpu" + cpu + ": " + line.substring(0, close + 1));
            }
        }
        return outside;
    }

    /** One task as its /proc/PID/task/TID/status says. */
    record Task(int pid, int tid, String name, int ppid, CpuSet allowed, long switches) {}

    /** Every task of the guest, from one grep over all status files (a shell loop is too slow under TCG). */
    private List<Task> tasks() {
        String out = guest.exec("grep -H -E '^(Name|PPid|Cpus_allowed_list|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):'"
                + " /proc/[0-9]*/task/[0-9]*/status 2>/dev/null; true", Duration.ofSeconds(60)).requireOk().stdout();
        Map<String, Map<String, String>> byTask = new java.util.LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            int second = line.indexOf(':', colon + 1);
            if (colon < 0 || second < 0) {
                continue;
            }
            byTask.computeIfAbsent(line.substring(0, colon), k -> new java.util.HashMap<>())
                    .put(line.substring(colon + 1, second), line.substring(second + 1).strip());
        }
        List<Task> tasks = new ArrayList<>();
        for (var e : byTask.entrySet()) {
            String[] path = e.getKey().split("/"); // /proc/PID/task/TID/status
            Map<String, String> f = e.getValue();
            if (path.length < 6 || !f.containsKey("Cpus_allowed_list") || !f.containsKey("PPid")) {
                continue;
            }
            tasks.add(new Task(Integer.parseInt(path[2]), Integer.parseInt(path[4]), f.getOrDefault("Name", "?"),
                    Integer.parseInt(f.get("PPid")), CpuSet.parse(f.get("Cpus_allowed_list")),
                    Long.parseLong(f.getOrDefault("voluntary_ctxt_switches", "0"))
                            + Long.parseLong(f.getOrDefault("nonvoluntary_ctxt_switches", "0"))));
        }
        return tasks;
    }

    /** Context switches per second of the tasks bound to CPU 2 or 3 alone (the fenced CPUs' per-CPU threads). */
    static String switchRates(List<Task> before, List<Task> after, double seconds) {
        Map<Integer, Long> a = new TreeMap<>();
        for (Task t : before) {
            a.put(t.tid(), t.switches());
        }
        List<Map.Entry<String, Double>> rates = new ArrayList<>();
        for (Task t : after) {
            if ((t.allowed().equals(CpuSet.of(2)) || t.allowed().equals(CpuSet.of(3))) && a.containsKey(t.tid())) {
                double r = (t.switches() - a.get(t.tid())) / seconds;
                if (r > 0) {
                    rates.add(Map.entry(t.name(), r));
                }
            }
        }
        rates.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
        StringBuilder s = new StringBuilder();
        for (var e : rates.subList(0, Math.min(8, rates.size()))) {
            s.append(String.format("%s %.1f; ", e.getKey(), e.getValue()));
        }
        return s.length() == 0 ? "none" : s.toString();
    }

    /** utime + stime (in 1/100 s) of each of QEMU's "CPU N/TCG" threads. */
    private static Map<Integer, Long> vcpuTicks(long qemuPid) throws IOException {
        Map<Integer, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + qemuPid + "/task"))) {
            for (Path t : tasks.toList()) {
                String comm = Files.readString(t.resolve("comm")).strip();
                if (comm.startsWith("CPU ") && comm.endsWith("/TCG")) {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(Integer.parseInt(comm.substring(4, comm.indexOf('/'))), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                }
            }
        }
        return out;
    }

    /** Per-second rates of the rows of /proc/interrupts, summed over CPUs 2-3 and over 0-1, busiest rows first. */
    static String interruptRates(String before, String after, double seconds) {
        Map<String, long[]> a = interrupts(before);
        Map<String, long[]> b = interrupts(after);
        List<String[]> rows = new ArrayList<>();
        double fencedTotal = 0;
        double keptTotal = 0;
        for (var e : b.entrySet()) {
            long[] x = a.getOrDefault(e.getKey(), new long[4]);
            long[] y = e.getValue();
            double fenced = ((y[2] - x[2]) + (y[3] - x[3])) / seconds;
            double kept = ((y[0] - x[0]) + (y[1] - x[1])) / seconds;
            fencedTotal += fenced;
            keptTotal += kept;
            if (fenced >= 0.1) {
                rows.add(new String[] {e.getKey(), String.format("%.1f", fenced), String.format("%.1f", kept)});
            }
        }
        rows.sort((p, q) -> Double.compare(Double.parseDouble(q[1]), Double.parseDouble(p[1])));
        StringBuilder s = new StringBuilder(String.format("total %.1f/s vs %.1f/s;", fencedTotal, keptTotal));
        for (String[] r : rows) {
            s.append(' ').append(r[0]).append(' ').append(r[1]).append(" vs ").append(r[2]).append(';');
        }
        return s.toString();
    }

    private static Map<String, long[]> interrupts(String text) {
        Map<String, long[]> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 5 || !f[0].endsWith(":")) {
                continue;
            }
            long[] counts = new long[4];
            try {
                for (int i = 0; i < 4; i++) {
                    counts[i] = Long.parseLong(f[i + 1]);
                }
            } catch (NumberFormatException e) {
                continue;
            }
            String name = f[0].replace(":", "");
            out.put(name.chars().allMatch(Character::isDigit) && f.length > 5 ? name + "(" + f[f.length - 1] + ")" : name, counts);
        }
        return out;
    }

    private String lastSpinLine() {
        List<String> lines = InGuest.lines(spinLog).stream().filter(l -> l.startsWith("cpus=")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static GuestCommandException errorOf(Call call) throws Exception {
        try {
            call.run();
        } catch (ExecutionException e) {
            return assertInstanceOf(GuestCommandException.class, e.getCause());
        }
        throw new AssertionError("expected the guest to answer with an error");
    }
}
