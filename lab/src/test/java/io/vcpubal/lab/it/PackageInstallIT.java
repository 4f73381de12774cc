package io.vcpubal.lab.it;

import static io.vcpubal.lab.it.InGuest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vcpubal.host.backend.qmp.QmpClient;
import io.vcpubal.lab.GuestImageCache;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.HostCommand;
import io.vcpubal.lab.HostTool;
import io.vcpubal.lab.debian.DebianGuest;
import io.vcpubal.lab.debian.DebianImage;
import io.vcpubal.lab.debian.DebianImageCache;
import io.vcpubal.lab.debian.DebianRoot;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packages as users install them, on a real Debian 12 guest with systemd and udev: {@code dpkg -i} of
 * the agent's .deb, the agent started by udev + systemd at boot and on a port hot-added over QMP, restarted
 * by systemd after {@code kill -9}, and {@code dpkg -P} leaving nothing behind. The host package is
 * installed into a scratch root with {@code dpkg --root}, its unit checked with {@code systemd-analyze
 * verify}, and its installed {@code /usr/bin/vcpubal-host} drives the guest throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(StopAtFirstFailure.class)
class PackageInstallIT {
    private static final Path PACKAGES = Path.of(System.getProperty("vcpubal.packages.dir", "../packaging/target"))
            .toAbsolutePath().normalize();
    /** Generous: the guest runs under TCG on 2 host cores that other tests' guests share. */
    private static final Duration T = Duration.ofMinutes(5);
    private static final String PORT = "io.vcpubal.agent.0";
    private static final String UNIT = "vcpubal-agent.service";
    private static final String ONLINE = "/sys/devices/system/cpu/online";
    private static final String ARCHIVE = "/var/cache/vcpubal/vcpubal-agent.jsa";

    private DebianImage image;
    private DebianRoot guestRoot;
    private DebianRoot hostRoot;
    private DebianGuest vm;
    private Path qmp2;
    private Process host;
    private Path hostLog;
    private Path control;

    @BeforeAll
    void buildImageAndUnpackRoots() throws IOException {
        image = new DebianImageCache(GuestImageCache.defaultCache()).prepare();
        guestRoot = DebianRoot.unpack(image);
        hostRoot = DebianRoot.unpack(image);
        Files.copy(pkg("vcpubal-agent_*_all.deb"), guestRoot.file("/root/vcpubal-agent.deb"));
        qmp2 = guestRoot.hostDir().resolve("qmp2.sock");
        control = guestRoot.hostDir().resolve("host.sock");
        hostLog = guestRoot.hostDir().resolve("host.log");
    }

    @AfterAll
    void tearDown() throws Exception {
        stopHost();
        if (host != null) {
            System.out.println("--- vcpubal-host log ---\n" + Files.readString(hostLog));
        }
        if (vm != null) {
            vm.close();
        }
        for (DebianRoot r : new DebianRoot[] {guestRoot, hostRoot}) {
            if (r != null) {
                r.close();
            }
        }
    }

    @Test
    @Order(1)
    void theDebInstallsWithDpkgAndTheAgentStartsAtOnceOnThePortThatIsThere() throws Exception {
        vm = boot();
        String out = vm.sh("dpkg -i /root/vcpubal-agent.deb 2>&1");
        System.out.println(out);
        assertTrue(vm.sh("dpkg-query -W -f '${Status}' vcpubal-agent").contains("install ok installed"));
        awaitActive();
        vm.sh("systemd-analyze verify " + UNIT);
        await("the agent opened its port", T, () -> vm.sh("journalctl -b -o cat -u " + UNIT).contains("host link on"));
        assertQuietJournal(vm.sh("journalctl -b -o cat -u " + UNIT));
    }

    @Test
    @Order(2)
    void atBootUdevAndSystemdStartTheAgentAndTheInstalledHostDaemonBalloonsAndPinsTheGuest() throws Exception {
        vm.close();
        vm = boot(); // a reboot of the same machine
        awaitActive();
        // the port's device unit (named by its sysfs path) wants the agent: udev's SYSTEMD_WANTS
        String wantedBy = vm.sh("systemctl list-dependencies --reverse --plain --no-pager " + UNIT);
        assertTrue(wantedBy.contains("virtio\\x2dports-vport"), "started because the port's device wants it:\n" + wantedBy);
        installHostPackage();
        startHost();
        await("the guest ballooned to one vCPU; host log:\n" + log(), T, () -> online().equals("0"));
        JsonObject v = status();
        assertEquals("connected", v.get("agent").getAsString());
        assertEquals(1, kernelPin(v, 0).size(), "vCPU 0 pinned to one host CPU: " + v);
    }

    @Test
    @Order(3)
    void startToFirstAnswerWithAndWithoutTheAppCdsArchive() {
        long without = restartToBallooned(true);
        long with1 = restartToBallooned(false);
        assertTrue(vm.sh("test -s " + ARCHIVE + " && echo yes").contains("yes"),
                "an agent that ran without an archive recorded one when it stopped");
        assertTrue(vm.sh("tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value " + UNIT + ")/cmdline")
                .contains("-XX:SharedArchiveFile=" + ARCHIVE), "the next agent maps it");
        System.out.printf("lab: agent start to first answer (systemctl start to the guest ballooned, host reconcile"
                + " 500 ms): %d ms without the AppCDS archive, %d ms with it (archive %s)%n",
                without, with1, vm.sh("du -h " + ARCHIVE + " | cut -f1").strip());
        assertQuietJournal(vm.sh("journalctl -o cat -n 12 -u " + UNIT));
    }

    @Test
    @Order(4)
    void aPortRemovedWithDeviceDelStopsTheAgentAndOneHotAddedWithDeviceAddStartsIt() throws Exception {
        String path = bootPortPath();
        qmp("device_del", Map.of("id", path));
        await("the agent stopped with its port", T,
                () -> !vm.sh("systemctl is-active " + UNIT + " || true").strip().equals("active"));
        await("every CPU online again", T, () -> online().equals("0-1"));

        // a guest-side watcher stamps the moment the port appears; the agent's journal line the connection
        Path stamp = vm.guest().spawn("while [ ! -e /dev/virtio-ports/" + PORT + " ]; do sleep 0.02; done; date +%s%3N");
        String since = vm.sh("date +@%s").strip();
        qmp("device_add", Map.of("driver", "virtserialport", "bus", "vserial0.0", "chardev", "agent0", "name", PORT,
                "id", "hotport"));
        awaitActive();
        await("the hot-added agent connected to the host", T,
                () -> vm.sh("journalctl -o cat -u " + UNIT + " --since " + since).contains(") connected"));
        await("the watcher saw the port", T, () -> !InGuest.lines(stamp).isEmpty());
        long portUp = Long.parseLong(InGuest.lines(stamp).get(0).strip());
        long connected = journalMillis(since, ") connected");
        System.out.printf("lab: port hot-added with QMP device_add: agent connected to the host %d ms after the port"
                + " appeared in the guest%n", connected - portUp);
        await("ballooned again through the hot-added port", T, () -> online().equals("0"));
    }

    @Test
    @Order(5)
    void afterKillMinus9SystemdRestartsTheAgentWhichOnlinesEveryCpuBeforeTheHostShrinksAgain() throws Exception {
        await("ballooned", T, () -> online().equals("0"));
        // the guest's online set each time it changes, stamped in guest milliseconds, until told to stop
        Path samples = vm.guest().spawn("rm -f /tmp/stop-sampler; p=; while [ ! -e /tmp/stop-sampler ]; do read l < " + ONLINE
                + "; [ \"$l\" = \"$p\" ] || { echo \"$(date +%s%3N) $l\"; p=$l; }; sleep 0.02; done");
        await("sampler running", T, () -> !InGuest.lines(samples).isEmpty());
        String since = vm.sh("date +@%s").strip();
        String out = vm.sh("pid=$(systemctl show -p MainPID --value " + UNIT + "); t0=$(date +%s%3N); kill -9 $pid;"
                + " while p=$(systemctl show -p MainPID --value " + UNIT + "); [ \"$p\" = \"$pid\" ] || [ \"$p\" = 0 ];"
                + " do sleep 0.02; done; echo \"$t0 $(date +%s%3N)\"");
        String[] t = out.strip().split(" ");
        long killed = Long.parseLong(t[0]);
        await("ballooned again by the host", T, () -> online().equals("0") && InGuest.lines(samples).size() >= 3);
        vm.sh("touch /tmp/stop-sampler");
        List<String> after = new ArrayList<>();
        long restored = -1;
        long reshrunk = -1;
        for (String line : InGuest.lines(samples)) {
            String[] f = line.split(" ");
            if (Long.parseLong(f[0]) < killed) {
                continue;
            }
            after.add(f[1]);
            if (f[1].equals("0-1") && restored < 0) {
                restored = Long.parseLong(f[0]);
            } else if (f[1].equals("0") && restored >= 0 && reshrunk < 0) {
                reshrunk = Long.parseLong(f[0]);
            }
        }
        assertTrue(restored > 0 && reshrunk > restored, "online sets after the kill: " + after);
        assertTrue(vm.sh("journalctl -o cat -u " + UNIT + " --since " + since).contains("by a previous run"),
                "the restarted agent says it restored the CPUs");
        System.out.printf("lab: agent killed with SIGKILL: systemd restarted it after %d ms, every CPU online after %d ms,"
                + " ballooned again by the host after %d ms%n", Long.parseLong(t[1]) - killed, restored - killed,
                reshrunk - killed);
    }

    /**
     * systemd runs this guest, so a class is a unit and its settings the unit's properties: the host's low
     * class makes {@code CPUWeight=idle}, its normal class of 2 shares {@code CPUWeight=200}, a class matching
     * by comm is refused with the reason, and when the host goes away the lease puts back what the operator had.
     */
    @Test
    @Order(6)
    void unitClassesSetTheUnitsPropertiesThroughSystemdAndTheLeasePutsTheOperatorsBack() throws Exception {
        vm.sh("printf '[Service]\\nExecStart=/bin/sh -c \"while :; do :; done\"\\nCPUWeight=50\\n'"
                + " > /etc/systemd/system/vcpubal-burn.service; printf '[Service]\\nExecStart=/bin/sleep infinity\\n'"
                + " > /etc/systemd/system/vcpubal-web.service; systemctl daemon-reload;"
                + " systemctl start vcpubal-burn.service vcpubal-web.service");
        String burn = "/sys/fs/cgroup/system.slice/vcpubal-burn.service/";
        assertEquals("50", vm.sh("cat " + burn + "cpu.weight").strip(), "the operator's weight to begin with");
        stopHost();
        startHost("class = name=burn,vm=deb,unit=vcpubal-burn.service,importance=low,shares=1\n"
                + "class = name=web,vm=deb,unit=vcpubal-web.service,importance=normal,shares=2\n"
                + "class = name=spin,vm=deb,comm=spin,importance=high,shares=1\n");
        await("the low class's unit idles; host log:\n" + log(), T, () -> vm.sh(
                "systemctl show -p CPUWeight --value vcpubal-burn.service").strip().equals("idle"));
        assertEquals("1", vm.sh("cat " + burn + "cpu.idle").strip(), "systemd wrote the cgroup");
        await("the normal class's unit weighs its shares", T, () -> vm.sh(
                "cat /sys/fs/cgroup/system.slice/vcpubal-web.service/cpu.weight").strip().equals("200"));
        await("the comm class is refused with the reason", T, () -> log().contains("class 'spin' not applied: systemd runs"));
        JsonObject[] top = new JsonObject[1];
        await("the host sees the burning process in its class", T, () -> {
            try {
                top[0] = top();
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
            for (JsonElement e : top[0].getAsJsonArray("processes")) {
                if (e.getAsJsonObject().get("className").getAsString().equals("burn")) {
                    return true;
                }
            }
            return false;
        });
        System.out.println("lab: vcpubal-host top --json with unit classes: " + top[0]);
        String applied = vm.sh("journalctl -b -o cat -u " + UNIT + " | grep 'process classes (systemd units)' || true");
        System.out.println("lab: the agent applying unit classes (systemctl show + set-property under TCG):\n" + applied);
        assertTrue(vm.sh("test -e /run/vcpubal/unit-classes && echo yes || true").contains("yes"),
                "the agent recorded the units' own settings");

        long stopped = System.nanoTime();
        stopHost();
        await("the lease puts the operator's CPUWeight=50 back", T, () -> vm.sh("cat " + burn + "cpu.idle " + burn
                + "cpu.weight").strip().equals("0\n50"));
        long putBack = InGuest.elapsedMs(stopped);
        assertEquals("[not set]", vm.sh("systemctl show -p CPUWeight --value vcpubal-web.service").strip());
        assertEquals("100", vm.sh("cat /sys/fs/cgroup/system.slice/vcpubal-web.service/cpu.weight").strip());
        assertEquals("max 100000", vm.sh("cat " + burn + "cpu.max").strip());
        assertTrue(vm.sh("test -e /run/vcpubal/unit-classes || echo gone").contains("gone"));
        System.out.printf("lab: host stopped: units put back by the class lease after %d ms (lease 6000 ms)%n", putBack);
        vm.sh("systemctl stop vcpubal-burn.service vcpubal-web.service; rm /etc/systemd/system/vcpubal-burn.service"
                + " /etc/systemd/system/vcpubal-web.service; systemctl daemon-reload");
        startHost("");
    }

    @Test
    @Order(7)
    void dpkgPurgeStopsTheAgentOnlinesEveryCpuAndLeavesNothingBehind() throws Exception {
        await("ballooned", T, () -> online().equals("0"));
        List<String> files = List.of(vm.sh("dpkg -L vcpubal-agent").strip().split("\n"));
        vm.sh("dpkg -P vcpubal-agent 2>&1");
        assertEquals("inactive", vm.sh("systemctl is-active " + UNIT + " || true").strip());
        assertEquals("0-1", online(), "every CPU online");
        List<String> left = new ArrayList<>();
        for (String f : files) {
            Path p = guestRoot.file(f);
            // the system's own directories (/usr, /etc, ...) stay; everything of the package must go
            if (Files.exists(p) && !(Files.isDirectory(p) && !f.contains("vcpubal"))) {
                left.add(f);
            }
        }
        for (String d : List.of("/etc/vcpubal", "/usr/share/vcpubal", "/var/cache/vcpubal", "/run/vcpubal")) {
            if (!vm.sh("test -e " + d + " || echo gone").contains("gone")) {
                left.add(d);
            }
        }
        assertEquals(List.of(), left, "left behind by dpkg -P");
        assertEquals("", vm.sh("find / -xdev -name '*vcpubal-agent*' -not -path '/root/*' 2>/dev/null || true").strip());
    }

    private DebianGuest boot() {
        return DebianGuest.boot(image, guestRoot, GuestSpec.of("deb", 2).withMemoryMiB(1024)
                .withExtraQemuArgs("-qmp", "unix:" + qmp2 + ",server=on,wait=off"));
    }

    /** dpkg --root into a second copy of the Debian root: the host package's scripts run chrooted there. */
    private void installHostPackage() {
        Path deb = pkg("vcpubal-host_*_all.deb");
        HostCommand.run(hostRoot.hostDir(), HostTool.DPKG, "--root=" + hostRoot.path(), "-i", deb.toString());
        for (String f : List.of("/usr/bin/vcpubal-host", "/usr/share/vcpubal/vcpubal-host.jar", "/etc/vcpubal/host.conf",
                "/usr/lib/systemd/system/vcpubal-host.service", "/usr/lib/tmpfiles.d/vcpubal-host.conf")) {
            assertTrue(Files.isRegularFile(hostRoot.file(f)), f + " installed");
        }
        assertTrue(Files.isExecutable(hostRoot.file("/usr/bin/vcpubal-host")));
        HostCommand.run(hostRoot.hostDir(), List.of(systemdAnalyze(), "verify", "--root=" + hostRoot.path(),
                "vcpubal-host.service"), null, null);
    }

    private static String systemdAnalyze() {
        return new HostTool("systemd-analyze", "systemd").require().toString();
    }

    /** The installed launcher, with the installed jar: the host's part of what a user runs. */
    private void startHost() throws IOException {
        startHost("");
    }

    private void startHost(String extraConfig) throws IOException {
        int cpus = Runtime.getRuntime().availableProcessors();
        Path config = guestRoot.hostDir().resolve("host.conf");
        // one host CPU for the guest, the rest reserved: its share is 1 of its 2 vCPUs
        Files.writeString(config, "reserved-cpus = 1" + (cpus > 2 ? "-" + (cpus - 1) : "") + "\nlease-ms = 6000\n"
                + "reconcile-interval-ms = 500\n" + extraConfig);
        ProcessBuilder pb = new ProcessBuilder("sh", hostRoot.file("/usr/bin/vcpubal-host").toString(), "run",
                "--config", config.toString(), "--control", control.toString(),
                "--vm", "name=deb,weight=1,qmp=" + vm.guest().qmpSocket() + ",agent=" + vm.guest().agentSocket())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(hostLog.toFile()));
        pb.environment().put("JAVA", InGuest.java());
        pb.environment().put("VCPUBAL_HOST_JAR", hostRoot.file("/usr/share/vcpubal/vcpubal-host.jar").toString());
        host = pb.start();
    }

    private void stopHost() throws InterruptedException {
        if (host != null && host.isAlive()) {
            host.destroy();
            host.waitFor(30, TimeUnit.SECONDS);
            host.destroyForcibly();
        }
    }

    /** systemctl stop, optionally drop the archive, then time systemctl start to the guest ballooned. */
    private long restartToBallooned(boolean dropArchive) {
        vm.sh("systemctl stop " + UNIT + (dropArchive ? "; rm -f " + ARCHIVE : ""), T);
        String out = vm.sh("t0=$(date +%s%3N); systemctl start " + UNIT + "; until [ \"$(cat " + ONLINE + ")\" = 0 ];"
                + " do sleep 0.05; done; echo $(( $(date +%s%3N) - t0 ))", T);
        return Long.parseLong(out.strip());
    }

    private void awaitActive() {
        try {
            await(UNIT + " active", T, () -> vm.sh("systemctl is-active " + UNIT + " || true").strip().equals("active"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A healthy start logs a few lines and no stack trace. */
    private static void assertQuietJournal(String journal) {
        System.out.println("--- journal of " + UNIT + " ---\n" + journal);
        assertFalse(journal.contains("Exception") || journal.contains("\tat "), "no stack trace:\n" + journal);
        assertFalse(journal.contains("WARN"), "no warning on a healthy start:\n" + journal);
    }

    /** The guest epoch milliseconds of the first journal line of the unit since {@code since} containing {@code text}. */
    private long journalMillis(String since, String text) {
        for (String line : vm.sh("journalctl -o short-unix -u " + UNIT + " --since " + since).split("\n")) {
            if (line.contains(text)) {
                return Math.round(Double.parseDouble(line.substring(0, line.indexOf(' '))) * 1000);
            }
        }
        throw new AssertionError("no journal line with '" + text + "'");
    }

    /** The QOM path of the port QEMU was started with (it has no id): found by its name property. */
    private String bootPortPath() throws Exception {
        for (JsonElement e : qmp("qom-list", Map.of("path", "/machine/peripheral-anon")).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("type").getAsString().equals("child<virtserialport>")) {
                String path = "/machine/peripheral-anon/" + o.get("name").getAsString();
                if (qmp("qom-get", Map.of("path", path, "property", "name")).getAsString().equals(PORT)) {
                    return path;
                }
            }
        }
        throw new AssertionError("no virtserialport named " + PORT);
    }

    /** A command on the guest's second QMP socket (the host daemon holds the first). */
    private JsonElement qmp(String command, Map<String, String> args) throws Exception {
        JsonObject a = new JsonObject();
        args.forEach(a::addProperty);
        try (QmpClient c = QmpClient.connect(qmp2, Duration.ofSeconds(30))) {
            return c.execute(command, a);
        }
    }

    private String online() {
        return vm.sh("cat " + ONLINE).strip();
    }

    private JsonObject status() throws IOException, InterruptedException {
        return JsonParser.parseString(cliJson("status")).getAsJsonArray().get(0).getAsJsonObject();
    }

    private JsonObject top() throws IOException, InterruptedException {
        return JsonParser.parseString(cliJson("top", "-n", "1")).getAsJsonObject();
    }

    /** {@code vcpubal-host COMMAND --json} of the installed launcher. */
    private String cliJson(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("sh", hostRoot.file("/usr/bin/vcpubal-host").toString()));
        args.addAll(List.of(command));
        args.addAll(List.of("--json", "--control", control.toString()));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().put("JAVA", InGuest.java());
        pb.environment().put("VCPUBAL_HOST_JAR", hostRoot.file("/usr/share/vcpubal/vcpubal-host.jar").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "vcpubal-host " + args + ": " + out);
        return out;
    }

    /** The affinity the kernel reports for the vCPU's thread ({@code Cpus_allowed_list: 0}). */
    private static CpuSet kernelPin(JsonObject vm, int vcpu) throws IOException {
        int tid = vm.getAsJsonArray("pins").get(vcpu).getAsJsonObject().get("tid").getAsInt();
        for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return CpuSet.parse(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no Cpus_allowed_list for thread " + tid);
    }

    private String log() {
        try {
            return Files.readString(hostLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Path pkg(String glob) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(PACKAGES, glob)) {
            for (Path p : s) {
                return p;
            }
        } catch (IOException e) {
            // fall through to the message below
        }
        throw new AssertionError("no " + glob + " in " + PACKAGES + ": build with `mvn -pl packaging -am package` first");
    }
}
