package io.vcpubal.lab.it;

import static io.vcpubal.lab.it.InGuest.await;
import static io.vcpubal.lab.it.InGuest.online;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.control.ControlClient;
import io.vcpubal.protocol.codec.FrameFormat;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The host plugin, run as its own process through its command line exactly as documented, managing two real
 * 2-vCPU guests with the agent inside on this 2-CPU host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostPluginIT {
    private static final Path HOST_JAR = Path.of(System.getProperty("vcpubal.host.jar", "../host-plugin/target/vcpubal-host.jar"));
    private static final Duration T = Duration.ofSeconds(60);

    private Lab lab;
    private Guest a;
    private Guest b;
    private Path dir;
    private Path control;
    private Process host;
    private Path hostLog;

    @BeforeAll
    void bootTwoGuestsAndTheHostPlugin() throws Exception {
        lab = Lab.start(GuestSpec.of("vm-a", 2), GuestSpec.of("vm-b", 2));
        a = lab.guest("vm-a");
        b = lab.guest("vm-b");
        agentLogs.add(InGuest.startAgent(a));
        agentLogs.add(InGuest.startAgent(b));
        dir = Files.createTempDirectory(Path.of("/tmp"), "vcpubal-host-it");
        control = dir.resolve("host.sock");
        Path config = dir.resolve("host.conf");
        // These expectations are for two host CPUs: on a bigger host the rest is reserved for the host.
        int cpus = Runtime.getRuntime().availableProcessors();
        Files.writeString(config, "# short lease so a dead host is noticed quickly\nlease-ms = 6000\n"
                // weight-only plans: a guest flooding its port is busy, demand would lend it the other's pCPU (DemandIT)
                + "demand-aware = false\n"
                + "reconcile-interval-ms = 1000\n" + (cpus > 2 ? "reserved-cpus = 2-" + (cpus - 1) + "\n" : ""));
        this.config = config;
        hostLog = dir.resolve("host.log");
        startHost();
    }

    private Path config;
    /** Every agent started, for the log printed at the end (the lab deletes the guests' shares). */
    private final List<Path> agentLogs = new ArrayList<>();

    private void startHost() throws IOException {
        host = new ProcessBuilder(List.of(InGuest.hostJava(), "-jar", HOST_JAR.toString(), "run", "--config", config.toString(),
                "--control", control.toString(),
                "--vm", "name=a,weight=1,qmp=" + a.qmpSocket() + ",agent=" + a.agentSocket(),
                "--vm", "name=b,weight=1,qmp=" + b.qmpSocket() + ",agent=" + b.agentSocket()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(hostLog.toFile())).start();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (host != null) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            System.out.println("--- host plugin log ---\n" + Files.readString(hostLog));
        }
        for (Path agentLog : agentLogs) {
            List<String> lines = InGuest.lines(agentLog);
            System.out.println("--- agent log " + agentLog + " (last 30 lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void equalWeightsLeaveOneVcpuOnlineInEachGuestOnItsOwnHostCpu() throws Exception {
        await("both guests at one vCPU; host log:\n" + log(), Duration.ofSeconds(180),
                () -> online(a).equals("0") && online(b).equals("0"));
        JsonArray vms = status();
        int aCpu = singleCpuOfRunningVcpu(vms, "a");
        int bCpu = singleCpuOfRunningVcpu(vms, "b");
        assertNotEquals(aCpu, bCpu, "the two guests' running vCPUs are on different host CPUs");
        assertEquals("connected", vm(vms, "a").get("agent").getAsString());
        assertEquals(1.0, vm(vms, "a").get("share").getAsDouble(), 1e-9);
        System.out.println(cli("status").stdout);
    }

    @Test
    @Order(2)
    void setWeightThreeToOneBalancesAsThePlannerDocuments() throws Exception {
        long start = System.nanoTime();
        Cli r = cli("set-weight", "a", "3");
        assertEquals(0, r.exit, r.stdout);
        await("a at 2 vCPUs, b at 1", T, () -> online(a).equals("0-1") && online(b).equals("0"));
        System.out.printf("lab: set-weight to the guests' new online sets: %d ms%n", InGuest.elapsedMs(start));
        JsonArray vms = status();
        assertEquals(1.5, vm(vms, "a").get("share").getAsDouble(), 1e-9);
        assertEquals(0.5, vm(vms, "b").get("share").getAsDouble(), 1e-9);
        assertEquals("balanced", vm(vms, "a").get("mode").getAsString());
        assertEquals("balanced", vm(vms, "b").get("mode").getAsString());
        // a keeps one dedicated pCPU and has one balanced vCPU in the pool; b's only vCPU is in the same pool.
        CpuSet a0 = pinOf(vm(vms, "a"), 0);
        CpuSet a1 = pinOf(vm(vms, "a"), 1);
        CpuSet b0 = pinOf(vm(vms, "b"), 0);
        assertEquals(1, a0.size());
        assertTrue(!a0.intersects(a1), "a's two vCPUs never share a pCPU");
        assertEquals(a1, b0, "the pool");
        System.out.println(cli("status").stdout);
    }

    @Test
    @Order(3)
    void stoppingAnAgentGivesItsGuestBackAllVcpusAndTheHostShowsNoAgent() throws Exception {
        cli("set-weight", "a", "1");
        await("back to one vCPU each", T, () -> online(a).equals("0") && online(b).equals("0"));
        b.exec("kill -TERM $(pgrep -f vcpubal-agent.jar)", Duration.ofSeconds(30));
        await("b restored", T, () -> online(b).equals("0-1"));
        await("host shows b without agent", T, () -> vm(status(), "b").get("agent").getAsString().equals("no agent"));
        assertEquals("0", online(a), "a is not affected");
        agentLogs.add(InGuest.startAgent(b));
        await("b's new agent is balloned again", Duration.ofSeconds(120), () -> online(b).equals("0"));
    }

    @Test
    @Order(4)
    void aGuestWhoseFloorRefusesTheShrinkStacksOnItsOwnPcpuAndTheOtherVmsPcpuIsSharedWithNobody() throws Exception {
        b.exec("kill -TERM $(pgrep -f vcpubal-agent.jar)", Duration.ofSeconds(30));
        await("b restored", T, () -> online(b).equals("0-1"));
        agentLogs.add(InGuest.startAgent(b, "--floor", "2"));
        await("b connected with its floor", Duration.ofSeconds(120),
                () -> vm(status(), "b").get("agent").getAsString().equals("connected"));
        int aCpu = singleCpuOfRunningVcpu(status(), "a");
        await("both of b's vCPU threads stacked on b's own pCPU", T, () -> {
            JsonArray vms = status();
            CpuSet b0 = kernelPin(vm(vms, "b"), 0);
            return b0.size() == 1 && kernelPin(vm(vms, "b"), 1).equals(b0);
        });
        assertEquals("0-1", online(b), "the guest keeps its floor: both vCPUs online");
        JsonArray vms = status();
        for (int v = 0; v < 2; v++) {
            assertTrue(!kernelPin(vm(vms, "b"), v).contains(aCpu), "b's vCPU " + v + " never runs on a's pCPU " + aCpu);
        }
        assertEquals("0", online(a), "a is not affected");
        b.exec("kill -TERM $(pgrep -f vcpubal-agent.jar)", Duration.ofSeconds(30));
        agentLogs.add(InGuest.startAgent(b));
        await("b ballooned again", Duration.ofSeconds(120), () -> online(b).equals("0"));
    }

    @Test
    @Order(5)
    void aGuestFloodingItsPortHurtsOnlyItselfWhileTheOtherVmsWeightChangeTakesEffect() throws Exception {
        b.exec("kill -TERM $(pgrep -f vcpubal-agent.jar)", Duration.ofSeconds(30));
        await("b restored", T, () -> online(b).equals("0-1"));
        Files.write(b.shareDir().resolve("flood.bin"), floodStream(1 << 20));
        long receivedBefore = link(vm(fastStatus(), "b")).get("bytesReceived").getAsLong();
        // Something in b writes junk and planted frame headers to the agent's port as fast as the port takes them.
        b.spawn("echo $$ > " + Guest.GUEST_SHARE + "/flood.pid; for d in /sys/class/virtio-ports/*; do"
                + " [ \"$(cat $d/name)\" = io.vcpubal.agent.0 ] && port=/dev/${d##*/}; done; echo flooding $port;"
                + " while :; do cat " + Guest.GUEST_SHARE + "/flood.bin > $port || sleep 1; done");
        await("the flood reaches the daemon", T,
                () -> link(vm(fastStatus(), "b")).get("bytesReceived").getAsLong() > receivedBefore + (1 << 20));

        long cpuBefore = daemonCpuMs();
        long floodStart = System.nanoTime();
        JsonObject linkBefore = link(vm(fastStatus(), "b"));
        Cli r = cli("set-weight", "a", "3");
        assertEquals(0, r.exit, r.stdout);
        // Timed by the agent's answer (in status), not by a shell in the guest: b's flood slows guest commands.
        await("a's agent reports 2 vCPUs while b floods", T, () -> vm(fastStatus(), "a").has("guestOnline")
                && vm(fastStatus(), "a").get("guestOnline").getAsString().equals("0-1"));
        long setWeightMs = InGuest.elapsedMs(floodStart);
        assertEquals("0-1", online(a), "the guest kernel agrees");
        long[] statusUs = new long[10];
        for (int i = 0; i < statusUs.length; i++) {
            long t = System.nanoTime();
            fastStatus();
            statusUs[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t);
        }
        Thread.sleep(Math.max(0, 20_000 - InGuest.elapsedMs(floodStart)));
        double seconds = (System.nanoTime() - floodStart) / 1e9;
        long cpuMs = daemonCpuMs() - cpuBefore;
        JsonObject vmB = vm(fastStatus(), "b");
        JsonObject linkAfter = link(vmB);
        long bytes = linkAfter.get("bytesReceived").getAsLong() - linkBefore.get("bytesReceived").getAsLong();
        long work = linkAfter.get("workBytes").getAsLong() - linkBefore.get("workBytes").getAsLong();
        java.util.Arrays.sort(statusUs);
        System.out.printf("lab: while b floods its port: a's set-weight took effect in %d ms; status answered in"
                + " median %d us (max %d us); the daemon used %d ms of CPU in %.1f s (%.1f%% of one CPU),"
                + " reading %.0f KiB/s from b (decoder work %.2f bytes per byte, throttled %d times)%n",
                setWeightMs, statusUs[statusUs.length / 2], statusUs[statusUs.length - 1], cpuMs, seconds,
                100.0 * cpuMs / (seconds * 1000), bytes / 1024.0 / seconds, (double) work / Math.max(1, bytes),
                linkAfter.get("throttled").getAsLong() - linkBefore.get("throttled").getAsLong());
        assertTrue(linkAfter.get("droppedBytes").getAsLong() > linkBefore.get("droppedBytes").getAsLong(),
                "the junk was read and dropped: " + linkAfter);
        assertTrue(bytes > 0, "b kept flooding during the window");
        CpuSet aDedicated = kernelPin(vm(fastStatus(), "a"), 0);
        assertEquals(1, aDedicated.size(), "a's vCPU 0 has a pCPU of its own");
        for (int v = 0; v < 2; v++) {
            assertTrue(!kernelPin(vmB, v).intersects(aDedicated), "b's vCPU " + v + " stays off a's pCPU " + aDedicated);
        }

        b.exec("kill $(cat " + Guest.GUEST_SHARE + "/flood.pid); pkill -x cat; true", Duration.ofSeconds(30));
        assertEquals(0, cli("set-weight", "a", "1").exit);
        agentLogs.add(InGuest.startAgent(b));
        await("b's new agent is heard through what is left of the junk and ballooned again", Duration.ofSeconds(180),
                () -> online(a).equals("0") && online(b).equals("0"));
    }

    @Test
    @Order(6)
    void aQemuRestartedOnTheSameSocketsIsRepinnedWithinFiveSeconds() throws Exception {
        Path qmp = b.qmpSocket();
        // The new QEMU makes a new socket file; its inode number may be the old one's, its time is later.
        java.time.Instant beforeRestart = Files.getLastModifiedTime(qmp).toInstant();
        b = lab.restart("vm-b");
        long launched = System.nanoTime();
        await("the new QEMU's QMP socket", T, () -> {
            try {
                return Files.getLastModifiedTime(qmp).toInstant().isAfter(beforeRestart);
            } catch (IOException e) {
                return false; // between the old socket's removal and the new one's creation
            }
        });
        long socketUp = System.nanoTime();
        await("b's new vCPU threads pinned to one pCPU of b's own", T, () -> {
            JsonObject vb = vm(fastStatus(), "b");
            if (vb.get("pid").getAsLong() != b.pid() || vb.getAsJsonArray("pins").size() != 2) {
                return false;
            }
            CpuSet b0 = kernelPin(vb, 0);
            return b0.size() == 1 && kernelPin(vb, 1).equals(b0) && !b0.equals(kernelPin(vm(fastStatus(), "a"), 0));
        });
        long repinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - socketUp);
        System.out.printf("lab: QEMU of b killed and restarted: its new threads pinned %d ms after its QMP socket was"
                + " up (%d ms after the new QEMU started)%n", repinMs, InGuest.elapsedMs(launched));
        assertTrue(repinMs <= 5000, "re-pinned " + repinMs + " ms after the new QEMU's QMP socket appeared");
        b.awaitReady(Lab.DEFAULT_READY_TIMEOUT);
        agentLogs.add(InGuest.startAgent(b));
        await("the rebooted guest is ballooned again", Duration.ofSeconds(120),
                () -> online(a).equals("0") && online(b).equals("0"));
    }

    @Test
    @Order(7)
    void sigtermGivesEveryGuestItsVcpusAndEveryThreadItsAffinityBack() throws Exception {
        long[] qemus = {a.pid(), b.pid()};
        host.destroy(); // SIGTERM
        assertTrue(host.waitFor(30, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
        assertEquals("0-1", online(a));
        assertEquals("0-1", online(b));
        CpuSet all = CpuSet.range(0, Runtime.getRuntime().availableProcessors() - 1);
        for (long pid : qemus) {
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : tasks.toList()) {
                    int tid = Integer.parseInt(t.getFileName().toString());
                    assertEquals(all, CpuSet.of(LinuxAffinity.get(tid)), "QEMU " + pid + " thread " + tid);
                }
            }
        }
        assertTrue(!Files.exists(Path.of("/sys/fs/cgroup/cpu/vcpubal")) && !Files.exists(Path.of("/sys/fs/cgroup/vcpubal")),
                "the daemon's cgroups are gone");
        startHost();
        await("managed again", Duration.ofSeconds(120), () -> online(a).equals("0") && online(b).equals("0"));
    }

    @Test
    @Order(8)
    void killingTheHostPluginLetsTheLeasesExpireAndEveryGuestGetsAllVcpusBack() throws Exception {
        host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        await("both guests restored after the 6 s lease", T, () -> online(a).equals("0-1") && online(b).equals("0-1"));
        System.out.printf("lab: host plugin killed; guests restored all vCPUs after %d ms (lease 6000 ms)%n",
                InGuest.elapsedMs(start));
    }

    private JsonArray status() {
        Cli r = cli("status", "--json");
        assertEquals(0, r.exit, r.stdout);
        return JsonParser.parseString(r.stdout).getAsJsonArray();
    }

    /**
     * Status over the control socket from this JVM: the same request {@code status --json} sends, without a
     * JVM start per poll, so polls are frequent enough to time what they wait for.
     */
    private JsonArray fastStatus() {
        JsonObject req = new JsonObject();
        req.addProperty("op", "status");
        try {
            return ControlClient.request(control, req).getAsJsonArray("vms");
        } catch (IOException e) {
            throw new AssertionError("status: " + e.getMessage(), e);
        }
    }

    private static JsonObject link(JsonObject vm) {
        return vm.getAsJsonObject("link");
    }

    /** The daemon's user + system CPU time so far (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms). */
    private long daemonCpuMs() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + host.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /**
     * What a hostile guest writes to its port: a stretch of junk, then a planted frame header every 16 bytes
     * claiming the largest payload the host accepts, then junk again: none of it is a frame.
     */
    private static byte[] floodStream(int size) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        new java.util.Random(7).nextBytes(out.array());
        for (int at = size / 4; at + 16 <= size * 3 / 4; at += 16) {
            out.putInt(at, FrameFormat.MAGIC).putInt(at + 4, FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH);
        }
        return out.array();
    }

    private static JsonObject vm(JsonArray vms, String name) {
        for (var e : vms) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no VM " + name + " in " + vms);
    }

    /** vCPU {@code vcpu}'s pCPUs as the kernel has them (sched_getaffinity on its thread). */
    private static CpuSet kernelPin(JsonObject vm, int vcpu) {
        try {
            int tid = vm.getAsJsonArray("pins").get(vcpu).getAsJsonObject().get("tid").getAsInt();
            return CpuSet.of(LinuxAffinity.get(tid));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static CpuSet pinOf(JsonObject vm, int vcpu) {
        return CpuSet.parse(vm.getAsJsonArray("pins").get(vcpu).getAsJsonObject().get("cpus").getAsString());
    }

    /** vCPU 0's host CPU, read back from the kernel with sched_getaffinity on its thread. */
    private static int singleCpuOfRunningVcpu(JsonArray vms, String name) throws Exception {
        int tid = vm(vms, name).getAsJsonArray("pins").get(0).getAsJsonObject().get("tid").getAsInt();
        CpuSet cpus = CpuSet.of(LinuxAffinity.get(tid));
        assertEquals(1, cpus.size(), name + " vCPU 0 (thread " + tid + ") runs on " + cpus);
        return cpus.first();
    }

    private record Cli(int exit, String stdout) {}

    private Cli cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(InGuest.hostJava(), "-jar", HOST_JAR.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--control", control.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return new Cli(p.exitValue(), out);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot run vcpubal-host " + String.join(" ", args) + ": " + e, e);
        }
    }

    private String log() {
        return InGuest.text(hostLog);
    }

}
