package io.vcpubal.lab.fleet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.control.ControlClient;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A simulated fleet on real sockets around the real host daemon. Per VM: a {@link FakeQemu} process (QMP and
 * idle vCPU threads), a {@link Chardev} (the agent port) and either the project's agent ({@link SimGuest}) or a
 * {@link HostileGuest}. The daemon runs in its own JVM ({@link FleetDaemonMain}, the packaged launcher's JVM
 * flags) so its CPU time and memory are its own; it reaches every VM only through the sockets, as on a host.
 *
 * <p>One run: start everything, wait until every honest guest has the set its plan wants (adoption), let
 * {@code warmup} seconds pass, measure {@code steady} seconds of nothing changing, then quadruple the weights of a tenth of the VMs and measure
 * until every honest guest has its new set.
 */
public final class Fleet implements AutoCloseable {
    /** The packaged launcher's default JVM flags ({@code packaging/src/host/vcpubal-host}); a test keeps them equal. */
    public static final List<String> DAEMON_JVM_FLAGS =
            List.of("-Xms16m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-XX:+ExitOnOutOfMemoryError");
    private static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param hostilePercent share of the VMs whose agent is hostile (junk, flood, silent in turn), 0..50
     */
    public record Options(int vms, int pcpus, int hostilePercent, Duration warmup, Duration steady, long seed, Path work,
                          Path cacheDir) {
        public Options {
            if (vms < 1 || vms > 2000) {
                throw new IllegalArgumentException("fleet size must be 1..2000, got " + vms);
            }
            if (hostilePercent < 0 || hostilePercent > 50) {
                throw new IllegalArgumentException("hostile share must be 0..50 %, got " + hostilePercent);
            }
            FleetDaemonMain.syntheticTopology(pcpus); // checks pcpus
        }
    }

    /** One simulated VM and what stands in for its guest. */
    private record SimVm(String name, int vcpus, int weight, FakeQemu qemu, Chardev chardev, SimGuest guest,
                         HostileGuest hostile) {
        boolean honest() {
            return guest != null;
        }
    }

    private final Options options;
    private final Consumer<String> progress;
    private final EventLoopGroup relayLoop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<SimVm> vms = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Process daemon;
    private Path control;
    private int metricsPort;

    public Fleet(Options options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the whole scenario; everything it started is stopped by {@link #close}. */
    public FleetFigures run() throws IOException, InterruptedException {
        Path bin = FakeQemu.binary(options.cacheDir());
        Files.createDirectories(options.work());
        startVms(bin);
        long started = System.nanoTime();
        startDaemon();
        Convergence adopted = awaitConverged(started);
        progress.accept(String.format("fleet: %d VMs adopted, every honest guest at its planned set after %.1f s",
                vms.size(), adopted.seconds()));

        ProcessUsage w0 = usage();
        Thread.sleep(options.warmup().toMillis()); // the JIT compiles the hot paths: not what a long-running daemon costs
        ProcessUsage u0 = usage();
        Map<String, Long> t0 = ProcessUsage.ticksByThread(Path.of("/"), daemon.pid());
        double warmupCpu = u0.coreShareSince(w0, options.warmup().toMillis() / 1000.0);
        MetricsText m0 = scrape();
        Thread.sleep(options.steady().toMillis());
        ProcessUsage u1 = usage();
        Map<String, Long> t1 = ProcessUsage.ticksByThread(Path.of("/"), daemon.pid());
        MetricsText m1 = scrape();
        double steadyCpu = u1.coreShareSince(u0, options.steady().toMillis() / 1000.0);
        double steadyRoundMs = 1000 * MetricsText.meanBetween(m0, m1, "vcpubal_reconcile_round_duration_seconds");
        double steadyReplans = m1.sum("vcpubal_replans_total") - m0.sum("vcpubal_replans_total");

        Map<String, Integer> before = targets();
        long changeAt = System.nanoTime();
        int changed = changeWeights();
        boolean replanned = awaitReplan(m1.sum("vcpubal_replans_total"));
        Convergence reconverged = awaitConverged(replanned ? changeAt : System.nanoTime());
        MetricsText m2 = scrape();
        double changeRoundMs = 1000 * MetricsText.meanBetween(m1, m2, "vcpubal_reconcile_round_duration_seconds");
        Map<String, Integer> after = targets();
        int moved = (int) after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).count();
        ProcessUsage u2 = usage();
        JsonArray status = status();
        int[] pins = checkPinsInKernel(status);
        return new FleetFigures(vms.size(), (int) vms.stream().filter(v -> !v.honest()).count(), options.pcpus(),
                adopted.seconds(), warmupCpu, steadyCpu, u1.rssKb() / 1024.0, u2.peakRssKb() / 1024.0, steadyRoundMs,
                steadyReplans, busiestThreads(t0, t1, options.steady().toMillis() / 1000.0), changed, moved,
                reconverged.seconds(), changeRoundMs, pins[0], pins[1], staleHonest(status), hostileCounters(status));
    }

    private void startVms(Path bin) throws IOException {
        Random random = new Random(options.seed());
        int[] weights = {128, 256, 512, 1024};
        HostileGuest.Kind[] kinds = HostileGuest.Kind.values();
        int every = options.hostilePercent() == 0 ? Integer.MAX_VALUE : Math.max(1, 100 / options.hostilePercent());
        Path log = options.work().resolve("fake-qemu.log");
        for (int i = 0; i < options.vms(); i++) {
            String name = String.format("vm%04d", i);
            Path dir = Files.createDirectories(options.work().resolve(name));
            int vcpus = 1 + random.nextInt(4);
            int weight = weights[random.nextInt(weights.length)];
            FakeQemu qemu = FakeQemu.start(bin, dir.resolve("qmp.sock"), vcpus, log);
            Chardev chardev = Chardev.open(dir.resolve("agent.sock"), relayLoop);
            boolean hostile = i % every == every / 2; // spread over the fleet, never the first VM
            SimGuest guest = hostile ? null : SimGuest.start(dir.resolve("root"), name, vcpus, chardev.guestPort());
            HostileGuest bad = hostile ? new HostileGuest(name, kinds[(i / every) % kinds.length], chardev.guestPort(),
                    options.seed() + i) : null;
            vms.add(new SimVm(name, vcpus, weight, qemu, chardev, guest, bad));
            if ((i + 1) % 100 == 0 || i + 1 == options.vms()) {
                progress.accept("fleet: " + (i + 1) + "/" + options.vms() + " VMs simulated");
            }
        }
    }

    private void startDaemon() throws IOException {
        control = options.work().resolve("host.sock");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            metricsPort = s.getLocalPort();
        }
        List<String> conf = new ArrayList<>(List.of("control = " + control, "metrics-listen = 127.0.0.1:" + metricsPort));
        for (SimVm vm : vms) {
            Path dir = options.work().resolve(vm.name());
            conf.add("vm = name=" + vm.name() + ",weight=" + vm.weight() + ",qmp=" + dir.resolve("qmp.sock") + ",agent="
                    + dir.resolve("agent.sock"));
        }
        Path file = Files.write(options.work().resolve("host.conf"), conf);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(DAEMON_JVM_FLAGS);
        String extra = System.getenv("VCPUBAL_FLEET_DAEMON_OPTS"); // e.g. a flight recording of the daemon
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FleetDaemonMain.class.getName(),
                file.toString(), Integer.toString(options.pcpus())));
        Path log = options.work().resolve("daemon.log");
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        progress.accept("fleet: daemon pid " + daemon.pid() + " on a synthetic " + options.pcpus()
                + "-pCPU host, log " + log);
    }

    /** How long until every honest guest's online set was what the daemon's plan wants. */
    private record Convergence(double seconds) {}

    private Convergence awaitConverged(long since) throws IOException, InterruptedException {
        long deadline = since + CONVERGE_TIMEOUT.toNanos();
        String lastMiss = "";
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IOException("the daemon exited with " + daemon.exitValue() + " (see its log in "
                        + options.work() + ")");
            }
            lastMiss = firstMismatch(status());
            if (lastMiss == null) {
                return new Convergence((System.nanoTime() - since) / 1e9);
            }
            Thread.sleep(250);
        }
        throw new IOException("the fleet did not converge within " + CONVERGE_TIMEOUT + ": " + lastMiss);
    }

    /**
     * The first honest VM whose guest does not hold its planned set, pinned, with the agent connected; null when
     * there is none. The guest's set is read from its own sysfs files, not from what the daemon believes.
     */
    private String firstMismatch(JsonArray status) {
        Map<String, JsonObject> byName = byName(status);
        for (SimVm vm : vms) {
            if (!vm.honest()) {
                continue;
            }
            JsonObject s = byName.get(vm.name());
            if (s == null) {
                return vm.name() + " is not in the status";
            }
            int target = s.get("targetOnline").getAsInt();
            CpuSet online = vm.guest().online();
            if (!"connected".equals(s.get("agent").getAsString())) {
                return vm.name() + " agent " + s.get("agent").getAsString();
            }
            if (target < 1 || online.size() != target) {
                return vm.name() + " wants " + target + " online, guest has " + online;
            }
            if (s.getAsJsonArray("pins").size() != vm.vcpus()) {
                return vm.name() + " has " + s.getAsJsonArray("pins").size() + " of " + vm.vcpus() + " vCPUs pinned";
            }
        }
        return null;
    }

    /** The daemon's threads that used the most CPU over the window, as "name x.x %" of one core. */
    static String busiestThreads(Map<String, Long> before, Map<String, Long> after, double seconds) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .map(e -> String.format("%s %.1f %%", e.getKey(), 100.0 * e.getValue() / ProcessUsage.TICKS_PER_SECOND / seconds))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * Until the daemon has planned with the new weights (before that every guest still "has" its old plan); false
     * when no re-plan came within 10 s: the plan did not change (every VM capped at its vCPUs, a host with pCPUs
     * to spare).
     */
    private boolean awaitReplan(double replansBefore) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (scrape().sum("vcpubal_replans_total") <= replansBefore) {
            if (System.nanoTime() > deadline) {
                progress.accept("fleet: no re-plan within 10 s of the weight change: the plan did not change");
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    /** Quadruples the weight of every tenth VM (honest or not), as an operator re-weighing a tenant would. */
    private int changeWeights() throws IOException {
        int n = 0;
        for (int i = 0; i < vms.size(); i += 10) {
            JsonObject req = new JsonObject();
            req.addProperty("op", "set-weight");
            req.addProperty("vm", vms.get(i).name());
            req.addProperty("weight", vms.get(i).weight() * 4);
            ControlClient.request(control, req);
            n++;
        }
        progress.accept("fleet: weights of " + n + " VMs quadrupled");
        return n;
    }

    private Map<String, Integer> targets() throws IOException {
        Map<String, Integer> out = new LinkedHashMap<>();
        byName(status()).forEach((name, s) -> out.put(name, s.get("targetOnline").getAsInt()));
        return out;
    }

    /**
     * Every vCPU pin the daemon reports, checked against the thread's affinity in the kernel
     * ({@code Cpus_allowed_list}), folded as {@link FoldingBackend} folds it: {matching, all}.
     */
    private int[] checkPinsInKernel(JsonArray status) throws IOException {
        Map<String, JsonObject> byName = byName(status);
        CpuSet real = CpuSet.range(0, Runtime.getRuntime().availableProcessors() - 1);
        FoldingBackend fold = new FoldingBackend(new io.vcpubal.host.backend.qmp.QmpBackend(Duration.ofSeconds(1)), real);
        int ok = 0;
        int all = 0;
        for (SimVm vm : vms) {
            for (JsonElement e : byName.get(vm.name()).getAsJsonArray("pins")) {
                JsonObject pin = e.getAsJsonObject();
                all++;
                Path file = Path.of("/proc", Long.toString(vm.qemu().pid()), "task", pin.get("tid").getAsString(), "status");
                String allowed = Files.readAllLines(file).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
                if (CpuSet.parse(allowed).equals(fold.fold(CpuSet.parse(pin.get("cpus").getAsString())))) {
                    ok++;
                }
            }
        }
        return new int[] {ok, all};
    }

    /** Honest VMs whose agent is not connected or has not been heard from for 5 s (their reports are at 1 Hz). */
    private int staleHonest(JsonArray status) {
        Map<String, JsonObject> byName = byName(status);
        long now = System.currentTimeMillis();
        int stale = 0;
        for (SimVm vm : vms) {
            JsonObject s = byName.get(vm.name());
            if (vm.honest() && (s == null || !"connected".equals(s.get("agent").getAsString())
                    || now - s.get("lastContactMs").getAsLong() > 5000)) {
                stale++;
            }
        }
        return stale;
    }

    /** Per hostile kind: how many, the agent states the daemon shows, and what their links dropped and throttled. */
    private Map<String, String> hostileCounters(JsonArray status) {
        Map<String, JsonObject> byName = byName(status);
        Map<String, long[]> sums = new LinkedHashMap<>(); // VMs, dropped bytes, throttles
        Map<String, Map<String, Integer>> states = new LinkedHashMap<>();
        for (SimVm vm : vms) {
            if (vm.honest()) {
                continue;
            }
            String kind = vm.hostile().kind().name().toLowerCase(java.util.Locale.ROOT);
            JsonObject s = byName.get(vm.name());
            JsonObject link = s.getAsJsonObject("link");
            long[] sum = sums.computeIfAbsent(kind, k -> new long[3]);
            sum[0]++;
            sum[1] += link.get("droppedBytes").getAsLong();
            sum[2] += link.get("throttled").getAsLong();
            states.computeIfAbsent(kind, k -> new java.util.TreeMap<>()).merge(s.get("agent").getAsString(), 1, Integer::sum);
        }
        Map<String, String> out = new LinkedHashMap<>();
        sums.forEach((kind, sum) -> out.put(kind, String.format("%d VMs, agent %s, dropped %d B, throttled %d times",
                sum[0], states.get(kind), sum[1], sum[2])));
        return out;
    }

    private static Map<String, JsonObject> byName(JsonArray status) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (JsonElement e : status) {
            out.put(e.getAsJsonObject().get("name").getAsString(), e.getAsJsonObject());
        }
        return out;
    }

    private JsonArray status() throws IOException {
        try {
            JsonObject req = new JsonObject();
            req.addProperty("op", "status");
            return ControlClient.request(control, req).getAsJsonArray("vms");
        } catch (IOException e) {
            if (!Files.exists(control)) {
                return new JsonArray(); // not listening yet
            }
            throw e;
        }
    }

    private ProcessUsage usage() throws IOException {
        return ProcessUsage.read(Path.of("/"), daemon.pid());
    }

    private MetricsText scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("metrics endpoint answered " + r.statusCode());
        }
        return new MetricsText(r.body());
    }

    /** The pid of one VM's fake QEMU, and its QMP socket (tests look at the pins there). */
    public List<Long> qemuPids() {
        return vms.stream().map(v -> v.qemu().pid()).toList();
    }

    /** Stops the daemon first (it gives every guest its vCPUs back), then the guests, relays and processes. */
    @Override
    public void close() {
        if (daemon != null) {
            daemon.destroy(); // SIGTERM
            try {
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                daemon.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (SimVm vm : vms) {
            if (vm.guest() != null) {
                vm.guest().close();
            }
            if (vm.hostile() != null) {
                vm.hostile().close();
            }
            vm.chardev().close();
            vm.qemu().close();
        }
        relayLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
