package io.vcpubal.lab.it;

import static io.vcpubal.lab.it.InGuest.await;
import static io.vcpubal.lab.it.InGuest.online;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.vcpubal.host.control.ControlClient;
import io.vcpubal.lab.FileTrees;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestAgent;
import io.vcpubal.lab.GuestImage;
import io.vcpubal.lab.GuestImageCache;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.libvirt.LabDomain;
import io.vcpubal.lab.libvirt.LibvirtHost;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code backend = libvirt} against a real libvirtd with TCG domains booted from the lab's kernel and initramfs,
 * the agent inside: the daemon is given no VM at all and finds them by their vcpubal channel. Everything is read
 * back the way an admin would: {@code virsh vcpupin}, {@code virsh emulatorpin}, {@code virsh schedinfo}.
 * Timings are printed (lines starting with {@code lab:}), never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtIT {
    private static final Path HOST_JAR = Path.of(System.getProperty("vcpubal.host.jar", "../host-plugin/target/vcpubal-host.jar"));
    private static final Path HOOK = Path.of("../host-plugin/src/main/dist/vcpubal-libvirt-hook");
    private static final Duration T = Duration.ofSeconds(60);
    private static final Duration BOOT = Duration.ofSeconds(240);

    private LibvirtHost libvirt;
    private Path dir;
    private Path control;
    private Path config;
    private Path hostLog;
    private Process host;
    private final Map<String, LabDomain> domains = new LinkedHashMap<>();
    private GuestImage image;
    private CpuSet all;

    @BeforeAll
    void twoDomainsWithWeightsGivenTwoWaysAndTheirOwnPinsBeforeVcpubal() throws Exception {
        libvirt = LibvirtHost.start();
        // the daemon manages every domain with the vcpubal channel: the expectations below need libvirtd to ourselves
        String others = LibvirtHost.virsh("list", "--name").strip();
        assertTrue(others.isEmpty(), "libvirtd at " + LibvirtHost.URI + " already runs domains (" + others.replace('\n', ' ')
                + "); LibvirtIT needs it to itself");
        image = GuestImageCache.defaultCache().prepare();
        dir = Files.createTempDirectory(Path.of("/tmp"), "vcpubal-lvit-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        control = dir.resolve("host.sock");
        hostLog = dir.resolve("host.log");
        int cpus = Runtime.getRuntime().availableProcessors();
        all = CpuSet.range(0, Math.min(cpus, 2) - 1);
        // no vm lines: the daemon finds the domains; on a bigger host the rest is left to the host
        config = dir.resolve("host.conf");
        Files.writeString(config, "backend = libvirt\nlibvirt-uri = " + LibvirtHost.URI + "\n"
                // weight-only plans: an idle guest would lend its share and move the cpu_shares asserted here
                + "demand-aware = false\n"
                + "reconcile-interval-ms = 1000\n" + (cpus > 2 ? "reserved-cpus = 2-" + (cpus - 1) + "\n" : ""));
        define("lv-a", new LabDomain.Weight.Metadata(512));
        define("lv-b", new LabDomain.Weight.Shares(512));
        define("lv-c", new LabDomain.Weight.None());
        for (String d : List.of("lv-a", "lv-b")) {
            domains.get(d).start();
        }
        for (String d : List.of("lv-a", "lv-b")) {
            Guest g = guest(d);
            g.awaitReady(BOOT);
            agentUp(GuestAgent.start(g));
        }
        // what the admin had before vcpubal: it must come back when vcpubal stops
        LibvirtHost.virsh("vcpupin", "lv-a", "1", "1", "--live");
        LibvirtHost.virsh("emulatorpin", "lv-a", "1", "--live");
    }

    /**
     * Waits until the agent has its port open: a JVM starting in a TCG guest whose vCPUs the daemon has just
     * stacked on one host CPU can take minutes, which would measure TCG, not vcpubal.
     */
    private static void agentUp(Path agentLog) throws InterruptedException {
        await("agent up; its log:\n" + String.join("\n", InGuest.lines(agentLog)), Duration.ofSeconds(180),
                () -> InGuest.lines(agentLog).stream().anyMatch(l -> l.contains("host link on")));
    }

    private void define(String name, LabDomain.Weight weight) {
        LabDomain d = LabDomain.define(GuestSpec.of(name, 2).withMemoryMiB(512), weight, image, dir.resolve(name));
        domains.put(name, d);
    }

    private Guest guest(String name) {
        return domains.get(name).guest();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (host != null) {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            System.out.println("--- host plugin log ---\n" + log());
        }
        domains.values().forEach(LabDomain::remove);
        if (libvirt != null) {
            libvirt.close();
        }
        if (dir != null) {
            FileTrees.deleteRecursively(dir);
        }
    }

    @Test
    @Order(1)
    void bothDomainsAreAdoptedWithoutConfigBalloonedAndPinnedAsVirshShows() throws Exception {
        Map<String, List<CpuSet>> before = Map.of("lv-a", vcpupin("lv-a"), "lv-b", vcpupin("lv-b"));
        long start = System.nanoTime();
        startHost();
        await("both domains pinned by share; log:\n" + log(), T, () -> singleCpus("lv-a") && singleCpus("lv-b"));
        System.out.printf("lab: libvirt daemon start to 2 running domains adopted and pinned: %d ms%n", InGuest.elapsedMs(start));
        // a guest whose two vCPUs were just stacked on one host CPU crawls under TCG until its agent answers
        await("both agents connected; log:\n" + log(), Duration.ofSeconds(240), () -> agentsConnected("lv-a", "lv-b"));
        await("both guests ballooned to one vCPU", Duration.ofSeconds(240),
                () -> online(guest("lv-a")).equals("0") && online(guest("lv-b")).equals("0") && agentsConnected("lv-a", "lv-b"));
        JsonArray vms = status();
        assertEquals(512, vm(vms, "lv-a").get("weight").getAsInt(), "weight from vcpubal's metadata");
        assertEquals(512, vm(vms, "lv-b").get("weight").getAsInt(), "weight from <cputune><shares>");
        for (String d : List.of("lv-a", "lv-b")) {
            assertEquals(pins(vm(vms, d)), vcpupin(d), d + ": virsh vcpupin shows the plan the daemon reports");
            assertEquals(all, emulatorpin(d), d + ": virsh emulatorpin shows the plan's emulator CPUs");
            assertEquals("connected", vm(vms, d).get("agent").getAsString());
        }
        CpuSet a = vcpupin("lv-a").get(0);
        CpuSet b = vcpupin("lv-b").get(0);
        assertNotEquals(a, b, "each domain's online vCPU on its own host CPU");
        assertEquals(List.of(a, a), vcpupin("lv-a"), "the offline vCPU is confined to the domain's own CPU");
        System.out.println("lab: before vcpubal lv-a " + before.get("lv-a") + ", lv-b " + before.get("lv-b")
                + "; now lv-a " + vcpupin("lv-a") + ", lv-b " + vcpupin("lv-b"));
    }

    @Test
    @Order(2)
    void destroyingOneGivesTheOtherTheWholeHostAndItGrows() throws Exception {
        long start = System.nanoTime();
        domains.get("lv-b").destroy();
        await("lv-a re-planned to the whole host; log:\n" + log(), T,
                () -> vcpupin("lv-a").get(0).size() == 1 && !vcpupin("lv-a").get(0).equals(vcpupin("lv-a").get(1)));
        System.out.printf("lab: libvirt destroy of one domain to the other re-planned and pinned: %d ms%n",
                InGuest.elapsedMs(start));
        await("lv-a grows to both vCPUs", T, () -> online(guest("lv-a")).equals("0-1"));
        System.out.printf("lab: libvirt destroy to the other guest online 0-1: %d ms%n", InGuest.elapsedMs(start));
        await("lv-b no longer listed", T, () -> !names(status()).contains("lv-b"));
    }

    @Test
    @Order(3)
    void aThirdDomainStartedIsAdoptedAndTheFractionalShareIsLibvirtsCpuWeight() throws Exception {
        long start = System.nanoTime();
        domains.get("lv-c").start();
        await("lv-c adopted and pinned; log:\n" + log(), T, () -> names(status()).contains("lv-c") && !vcpupin("lv-c").contains(all));
        System.out.printf("lab: libvirt start of a domain to adopted and pinned: %d ms%n", InGuest.elapsedMs(start));
        // no weight in its XML: the default 1024 against lv-a's 512, so 4/3 and 2/3 of the 2 CPUs
        JsonArray vms = status();
        assertEquals(1024, vm(vms, "lv-c").get("weight").getAsInt());
        assertEquals("balanced", vm(vms, "lv-a").get("mode").getAsString());
        assertEquals("balanced", vm(vms, "lv-c").get("mode").getAsString());
        await("cpu_shares of the pool shares set through libvirt", T,
                () -> cpuShares("lv-a") == Math.round(2.0 / 3 * 1024) && cpuShares("lv-c") == Math.round(1.0 / 3 * 1024));
        System.out.println("lab: virsh schedinfo cpu_shares lv-a " + cpuShares("lv-a") + ", lv-c " + cpuShares("lv-c"));
        for (String d : List.of("lv-a", "lv-c")) {
            assertEquals(pins(vm(status(), d)), vcpupin(d), d + ": virsh vcpupin shows the plan");
        }
        guest("lv-c").awaitReady(BOOT);
        agentUp(GuestAgent.start(guest("lv-c")));
        await("lv-a at one vCPU (in the pool), lv-c at two", Duration.ofSeconds(180),
                () -> online(guest("lv-a")).equals("0") && online(guest("lv-c")).equals("0-1"));
        Matcher round = Pattern.compile("round: (\\d+) VMs, (\\d+) pins applied in (\\d+) ms").matcher(log());
        String last = null;
        while (round.find()) {
            last = round.group(0);
        }
        System.out.println("lab: libvirt backend, last pinning " + last);
    }

    @Test
    @Order(4)
    void libvirtdKilledAndRestartedLeavesPlansAndPinsAsTheyWere() throws Exception {
        Map<String, List<CpuSet>> pins = Map.of("lv-a", vcpupin("lv-a"), "lv-c", vcpupin("lv-c"));
        libvirt.killLibvirtd();
        long start = System.nanoTime();
        libvirt.startLibvirtd();
        await("the daemon reconnected; log:\n" + log(), T, () -> log().contains("reconnected to libvirt"));
        System.out.printf("lab: libvirtd restarted to vcpubal reconnected: %d ms%n", InGuest.elapsedMs(start));
        Thread.sleep(3000); // a few rounds after the reconnect
        assertTrue(host.isAlive(), "the daemon survives libvirtd restarting");
        for (String d : List.of("lv-a", "lv-c")) {
            assertEquals(pins.get(d), vcpupin(d), d + ": pins unchanged");
            assertEquals(pins.get(d), pins(vm(status(), d)), d + ": plan unchanged");
        }
        assertEquals("0", online(guest("lv-a")));
        assertEquals("0-1", online(guest("lv-c")));
    }

    @Test
    @Order(5)
    void setWeightIsWrittenIntoTheDomainsMetadataAndReplans() throws Exception {
        JsonObject req = new JsonObject();
        req.addProperty("op", "set-weight");
        req.addProperty("vm", "lv-a");
        req.addProperty("weight", 1024);
        ControlClient.request(control, req);
        for (String where : List.of("--live", "--config")) {
            String meta = LibvirtHost.virsh("metadata", "lv-a", "http://vcpubal.io/xmlns/libvirt/1", where);
            assertTrue(meta.contains("weight=\"1024\""), where + ": " + meta);
        }
        await("equal weights: one dedicated host CPU each", T, () -> singleCpus("lv-a") && singleCpus("lv-c")
                && !vcpupin("lv-a").get(0).equals(vcpupin("lv-c").get(0)));
        assertEquals(1024, vm(status(), "lv-a").get("weight").getAsInt());
    }

    @Test
    @Order(6)
    void theHookAsLibvirtRunsItTellsTheDaemonAndReturnsAtOnce() throws Exception {
        long ms = hook("lv-a", "started");
        System.out.printf("lab: libvirt hook with a daemon running returned in %d ms%n", ms);
        await("the daemon heard the hook", T, () -> log().contains("hook: domain lv-a started"));
        assertTrue(hook("lv-a", "prepare") >= 0, "other operations are ignored");
    }

    @Test
    @Order(7)
    void stoppingTheDaemonPutsBackWhatLibvirtHadBefore() throws Exception {
        host.destroy(); // SIGTERM
        assertTrue(host.waitFor(60, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
        assertEquals(List.of(all, CpuSet.of(1)), vcpupin("lv-a"), "lv-a's own vCPU pins are back");
        assertEquals(CpuSet.of(1), emulatorpin("lv-a"), "lv-a's own emulator pin is back");
        assertEquals(List.of(all, all), vcpupin("lv-c"));
        assertEquals(1024, cpuShares("lv-a"));
        assertEquals(1024, cpuShares("lv-c"));
        assertEquals("0-1", online(guest("lv-a")), "the guests have all their vCPUs");
        assertEquals("0-1", online(guest("lv-c")));
        long ms = hook("lv-a", "started");
        System.out.printf("lab: libvirt hook without a daemon returned in %d ms%n", ms);
    }

    /** Runs the hook as libvirtd does: arguments, the domain XML on stdin; asserts exit 0 and returns its time. */
    private long hook(String domain, String operation) throws Exception {
        Path wrapper = dir.resolve("vcpubal-host");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + InGuest.hostJava() + " -jar " + HOST_JAR.toAbsolutePath() + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", HOOK.toString(), domain, operation, "begin", "-"))
                .redirectInput(dir.resolve(domain).resolve("domain.xml").toFile()).redirectErrorStream(true);
        pb.environment().put("VCPUBAL_CONTROL", control.toString());
        pb.environment().put("VCPUBAL_HOST", wrapper.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the hook ends");
        long ms = InGuest.elapsedMs(start);
        assertEquals(0, p.exitValue(), "the hook exits 0: " + out);
        return ms;
    }

    private void startHost() throws IOException {
        host = new ProcessBuilder(List.of(InGuest.hostJava(), "-jar", HOST_JAR.toString(), "run", "--config", config.toString(),
                "--control", control.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(hostLog.toFile())).start();
    }

    private boolean agentsConnected(String... names) {
        JsonArray vms = status();
        for (String n : names) {
            if (!names(vms).contains(n) || !vm(vms, n).get("agent").getAsString().equals("connected")) {
                return false;
            }
        }
        return true;
    }

    private boolean singleCpus(String domain) {
        try {
            return vcpupin(domain).stream().allMatch(c -> c.size() == 1);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<CpuSet> vcpupin(String domain) {
        return LibvirtHost.vcpupin(domain);
    }

    private static CpuSet emulatorpin(String domain) {
        return LibvirtHost.emulatorpin(domain);
    }

    private static long cpuShares(String domain) {
        return LibvirtHost.cpuShares(domain);
    }

    private JsonArray status() {
        JsonObject req = new JsonObject();
        req.addProperty("op", "status");
        try {
            return ControlClient.request(control, req).getAsJsonArray("vms");
        } catch (IOException e) {
            throw new AssertionError("status: " + e.getMessage() + "\nlog:\n" + log(), e);
        }
    }

    private static List<String> names(JsonArray vms) {
        List<String> out = new ArrayList<>();
        vms.forEach(e -> out.add(e.getAsJsonObject().get("name").getAsString()));
        return out;
    }

    private static JsonObject vm(JsonArray vms, String name) {
        for (var e : vms) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no VM " + name + " in " + vms);
    }

    /** The pins the daemon reports for each vCPU (read back from the kernel). */
    private static List<CpuSet> pins(JsonObject vm) {
        List<CpuSet> out = new ArrayList<>();
        vm.getAsJsonArray("pins").forEach(p -> out.add(CpuSet.parse(p.getAsJsonObject().get("cpus").getAsString())));
        return out;
    }

    private String log() {
        return InGuest.text(hostLog);
    }

}
