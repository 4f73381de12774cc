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
        InGuest.startAgent(a);
        InGuest.startAgent(b);
        dir = Files.createTempDirectory(Path.of("/tmp"), "vcpubal-host-it");
        control = dir.resolve("host.sock");
        Path config = dir.resolve("host.conf");
        // These expectations are for two host CPUs: on a bigger host the rest is reserved for the host.
        int cpus = Runtime.getRuntime().availableProcessors();
        Files.writeString(config, "# short lease so a dead host is noticed quickly\nlease-ms = 6000\n"
                + "reconcile-interval-ms = 1000\n" + (cpus > 2 ? "reserved-cpus = 2-" + (cpus - 1) + "\n" : ""));
        this.config = config;
        hostLog = dir.resolve("host.log");
        startHost();
    }

    private Path config;

    private void startHost() throws IOException {
        host = new ProcessBuilder(List.of(javaBin(), "-jar", HOST_JAR.toString(), "run", "--config", config.toString(),
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
        InGuest.startAgent(b);
        await("b's new agent is balloned again", Duration.ofSeconds(120), () -> online(b).equals("0"));
    }

    @Test
    @Order(4)
    void aGuestWhoseFloorRefusesTheShrinkStacksOnItsOwnPcpuAndTheOtherVmsPcpuIsSharedWithNobody() throws Exception {
        b.exec("kill -TERM $(pgrep -f vcpubal-agent.jar)", Duration.ofSeconds(30));
        await("b restored", T, () -> online(b).equals("0-1"));
        InGuest.startAgent(b, "--floor", "2");
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
        InGuest.startAgent(b);
        await("b ballooned again", Duration.ofSeconds(120), () -> online(b).equals("0"));
    }

    @Test
    @Order(5)
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
    @Order(6)
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
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", HOST_JAR.toString()));
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
        try {
            return Files.readString(hostLog);
        } catch (IOException e) {
            return "";
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
