package io.vcpubal.lab.experiment;

import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestAgent;
import io.vcpubal.lab.GuestImage;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import io.vcpubal.lab.LabException;
import io.vcpubal.lab.experiment.workloads.WorkloadMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The paper's experiment on real guests: the same guests run the same fixed work in every {@link Mode},
 * all guests at once, each run timed inside the guest. Results are written after every cell, so an
 * interrupted run still leaves its numbers behind.
 */
public final class Experiment {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final String GUEST_CODE_DIR = "experiment";
    /**
     * Quiet time after each mode is set up, the same for every mode: lets one-off work after a change
     * (the agent's first reports and JIT after the host plugin connects, re-plugged CPUs) pass.
     */
    static final Duration SETTLE = Duration.ofSeconds(8);
    /** How long a demand-aware mode may take to return to its rest plan between two workloads. */
    static final Duration REST = Duration.ofSeconds(20);

    private final ExperimentOptions options;
    private final AtomicReference<HostDaemon> daemon = new AtomicReference<>();
    private final AtomicLong runSeq = new AtomicLong();

    public Experiment(ExperimentOptions options) {
        this.options = options;
    }

    /** Runs everything and returns the directory holding results.json, report.md and chart.svg. */
    public Path run(GuestImage image) throws Exception {
        HostTopology topology = new SysfsTopologyDiscovery(Path.of("/")).discover();
        CpuSet hostCpus = topology.cpus();
        Instant started = Instant.now();
        Path out = options.resultsRoot().resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(started));
        Files.createDirectories(out);
        List<String> names = new ArrayList<>();
        Lab.Builder builder = Lab.builder().image(image);
        for (int i = 1; i <= options.guests(); i++) {
            names.add("vm" + i);
            builder.guest(GuestSpec.of("vm" + i, options.vcpus()));
        }
        System.out.printf("experiment: %d guests x %d vCPUs on %d host CPUs %s (TCG), weights %s, %d repeat(s), "
                        + "workloads %s, modes %s%n", options.guests(), options.vcpus(), hostCpus.size(), hostCpus,
                options.weights(), options.repeats(), options.workloads().stream().map(Workload::id).toList(),
                options.modes().stream().map(Mode::id).toList());
        // Ctrl-C: the lab's own hook stops the guests; this one stops the in-process host plugin
        Thread hook = new Thread(this::closeDaemon, "vcpubal-experiment-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Lab lab = builder.start()) {
            List<Guest> guests = lab.guests();
            String code = installCode(guests);
            for (Guest g : guests) {
                GuestAgent.start(g);
            }
            String kernel = guests.get(0).exec("uname -r", Duration.ofSeconds(60)).requireOk().stdout().trim();
            ExperimentResults results = new ExperimentResults(new ExperimentResults.Setup(started.toString(),
                    hostCpus.size(), cpuModel(), qemuVersion(), "TCG (multi-threaded)", kernel, names, options.vcpus(),
                    options.weights(), options.repeats(), options.scale(),
                    options.workloads().stream().map(Workload::id).toList(),
                    options.modes().stream().map(Mode::id).toList()), Map.of(), List.of());
            int cells = options.modes().size() * options.repeats() * options.workloads().size();
            int done = 0;
            for (int rep = 1; rep <= options.repeats(); rep++) {
                for (Mode mode : modeOrder(options.modes(), rep)) {
                    List<String> setup = enter(mode, lab, hostCpus);
                    results = results.withModeSetup(mode.id(), setup);
                    System.out.printf("experiment: repeat %d, mode %s: %s%n", rep, mode.id(), mode.description());
                    setup.forEach(l -> System.out.println("experiment:   " + l));
                    Thread.sleep(SETTLE.toMillis());
                    for (Workload w : options.workloads()) {
                        if (mode.demandAware()) {
                            awaitRest(daemon.get(), restVcpus(guests), w);
                        }
                        List<ExperimentResults.Run> runs = runEverywhere(guests, code, w, mode, rep);
                        for (ExperimentResults.Run r : runs) {
                            results = results.with(r);
                        }
                        done++;
                        System.out.println(progressLine(done, cells, mode, w, rep, runs, results));
                        Files.writeString(out.resolve("results.json"), results.toJson());
                    }
                    leave(mode, lab, hostCpus);
                }
            }
            Report.write(results, out);
            System.out.println();
            System.out.print(Report.table(results));
            System.out.println();
            Report.verdicts(results).forEach(l -> System.out.println("experiment: " + l));
        } finally {
            closeDaemon();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
        System.out.println("experiment: all guests shut down; results in " + out.toAbsolutePath());
        return out;
    }

    /**
     * The order of the modes in repeat {@code rep}: as given in odd repeats, reversed in even ones (ABCD DCBA
     * ABCD ...). The host's speed drifts by up to 2x over minutes (it is a cloud VM, and TCG's caches
     * warm and flush), so a fixed order would hand the same mode the same slot of every cycle; counterbalanced,
     * a steady drift hits every mode alike, and modes next to each other (vcpubal, ideal) swap places.
     */
    static List<Mode> modeOrder(List<Mode> modes, int rep) {
        List<Mode> order = new ArrayList<>(modes);
        if (rep % 2 == 0) {
            Collections.reverse(order);
        }
        return order;
    }

    /** Puts the mode's configuration in place; returns what it looks like, one line per guest. */
    private List<String> enter(Mode mode, Lab lab, CpuSet hostCpus) throws Exception {
        List<Guest> guests = lab.guests();
        List<String> names = guests.stream().map(Guest::name).toList();
        switch (mode) {
            case DEFAULT -> {
                return restore(guests, hostCpus);
            }
            case AFFINITY, IDEAL -> {
                StaticPlacement p = mode == Mode.AFFINITY
                        ? StaticPlacement.affinity(guests.size(), options.vcpus(), hostCpus)
                        : StaticPlacement.ideal(options.weights(), options.vcpus(), hostCpus);
                List<String> lines = new ArrayList<>();
                try (GuestCpus cpus = new GuestCpus(guests, hostCpus)) {
                    for (int i = 0; i < guests.size(); i++) {
                        Guest g = guests.get(i);
                        // grow before pinning, shrink before... either way both are done before the run
                        String online = GuestCpus.setOnline(g, p.online().get(i));
                        cpus.pin(g, p.pins().get(i));
                        lines.add(g.name() + ": guest online " + online + "; " + cpus.affinities(g));
                    }
                }
                return lines;
            }
            case VCPUBAL, VCPUBAL_STATIC, VCPUBAL_FENCE -> {
                restore(guests, hostCpus);
                List<VmConfig> vms = new ArrayList<>();
                for (int i = 0; i < guests.size(); i++) {
                    Guest g = guests.get(i);
                    vms.add(new VmConfig(g.name(), options.weights().get(i), g.qmpSocket(), g.agentSocket(), 0, 0)
                            .withBalloon(mode.balloon()));
                }
                HostConfig config = HostConfig.defaults().withControlSocket(lab.runDir().resolve("host.sock")).withVms(vms)
                        .withDemandAware(mode.demandAware());
                HostDaemon d = new HostDaemon(config, new SysfsTopologyDiscovery(Path.of("/")).discover(),
                        new QmpBackend(Duration.ofSeconds(5)));
                daemon.set(d);
                d.start();
                List<VmStatus> status = awaitPlanApplied(d, hostCpus);
                List<String> lines = new ArrayList<>();
                for (VmStatus s : status) {
                    StringBuilder l = new StringBuilder(String.format(Locale.ROOT, "%s: share %.2f (%s), guest %s;",
                            s.name(), s.share(), s.mode(), s.fencedCount() > 0
                                    ? "usable " + s.guestOnline() + ", fenced " + s.guestFenced()
                                    : "online " + s.guestOnline()));
                    for (VmStatus.VcpuPin pin : s.pins()) {
                        l.append(" vCPU").append(pin.vcpu()).append("->").append(pin.cpus());
                    }
                    lines.add(l.toString());
                }
                return lines;
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    private void leave(Mode mode, Lab lab, CpuSet hostCpus) throws Exception {
        if (mode.usesHostPlugin()) {
            closeDaemon(); // gives every guest all its vCPUs back and unpins
        }
        restore(lab.guests(), hostCpus);
    }

    /** All vCPUs online, every vCPU free to run on every host CPU. */
    private static List<String> restore(List<Guest> guests, CpuSet hostCpus) throws Exception {
        List<String> lines = new ArrayList<>();
        try (GuestCpus cpus = new GuestCpus(guests, hostCpus)) {
            for (Guest g : guests) {
                String online = GuestCpus.setOnline(g, g.spec().vcpus());
                cpus.unpin(g);
                lines.add(g.name() + ": guest online " + online + "; " + cpus.affinities(g));
            }
        }
        return lines;
    }

    /**
     * Waits until every guest's kernel has the planned number of vCPUs online (strict), then briefly for
     * the pins of the online vCPUs to be narrower than the whole host (a plan whose pool is the whole host
     * never gets there, so that wait only delays).
     */
    private static List<VmStatus> awaitPlanApplied(HostDaemon d, CpuSet hostCpus) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        List<VmStatus> s;
        while (true) {
            s = d.status();
            boolean online = true;
            for (VmStatus v : s) {
                online &= v.targetOnline() > 0 && v.guestOnline() != null
                        && CpuSet.parse(v.guestOnline()).size() == v.targetOnline();
            }
            if (online) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("the host plugin's plan was not applied within 180 s: " + s);
            }
            Thread.sleep(250);
        }
        long pinDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < pinDeadline) {
            boolean pinned = true;
            for (VmStatus v : s) {
                for (VmStatus.VcpuPin p : v.pins()) {
                    pinned &= p.vcpu() >= v.targetOnline() || CpuSet.parse(p.cpus()).size() < hostCpus.size();
                }
            }
            if (pinned) {
                break;
            }
            Thread.sleep(250);
            s = d.status();
        }
        return s;
    }

    /** Each guest's usable vCPUs at rest: the weight-only plan, which demand also gives while every guest idles. */
    private Map<String, Integer> restVcpus(List<Guest> guests) throws IOException {
        List<VmSpec> specs = new ArrayList<>();
        for (int i = 0; i < guests.size(); i++) {
            specs.add(VmSpec.of(guests.get(i).name(), options.weights().get(i), options.vcpus()));
        }
        Map<String, Integer> rest = new HashMap<>();
        Planner.plan(new SysfsTopologyDiscovery(Path.of("/")).discover(), ReservedCpus.none(), specs).vms()
                .forEach(vp -> rest.put(vp.name(), vp.onlineVcpus()));
        return rest;
    }

    /**
     * Demand-aware modes: waits until the plan is back at rest, as every guest idles between workloads. The
     * workloads size their threads from the usable CPUs at start, so without this a guest that finished the
     * previous workload last would start the next one on the vCPUs it had just borrowed.
     */
    private static void awaitRest(HostDaemon d, Map<String, Integer> rest, Workload next) throws InterruptedException {
        long deadline = System.nanoTime() + REST.toNanos();
        List<VmStatus> s = d.status();
        while (!atRest(s, rest)) {
            if (System.nanoTime() > deadline) {
                System.out.printf("experiment: before %s the plan was not at rest within %d s; running anyway: %s%n",
                        next.id(), REST.toSeconds(), s.stream().map(v -> v.name() + " usable " + usable(v)).toList());
                return;
            }
            Thread.sleep(250);
            s = d.status();
        }
    }

    private static boolean atRest(List<VmStatus> status, Map<String, Integer> rest) {
        for (VmStatus v : status) {
            Integer n = rest.get(v.name());
            if (n == null || v.targetOnline() != n || usable(v) != n) {
                return false;
            }
        }
        return true;
    }

    /** Online and not fenced, as the guest last reported; -1 before it reported. */
    private static int usable(VmStatus v) {
        if (v.guestOnline() == null || v.guestOnline().isEmpty()) {
            return -1;
        }
        CpuSet fenced = v.guestFenced() == null || v.guestFenced().isEmpty() ? CpuSet.empty() : CpuSet.parse(v.guestFenced());
        return CpuSet.parse(v.guestOnline()).minus(fenced).size();
    }

    private void closeDaemon() {
        HostDaemon d = daemon.getAndSet(null);
        if (d != null) {
            d.close();
        }
    }

    /**
     * Runs workload {@code w} in every guest at once and waits for all. Each guest starts its JVM and
     * generates its input, then waits; the host starts every guest's timed phase together.
     */
    private List<ExperimentResults.Run> runEverywhere(List<Guest> guests, String code, Workload w, Mode mode, int rep)
            throws Exception {
        String start = "start-" + runSeq.incrementAndGet();
        ExecutorService pool = Executors.newFixedThreadPool(guests.size());
        try {
            List<Future<String>> outs = new ArrayList<>();
            for (int i = 0; i < guests.size(); i++) {
                Guest g = guests.get(i);
                String command = Guest.javaCommand() + " -Xmx256m -cp " + code + " " + WorkloadMain.class.getName()
                        + " " + w.commandFor(i) + " " + options.scale() + " " + Guest.GUEST_SHARE + "/" + GUEST_CODE_DIR
                        + "/" + start;
                outs.add(pool.submit(() -> g.exec(command, RUN_TIMEOUT).requireOk().stdout()));
            }
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            for (int i = 0; i < guests.size(); i++) {
                Path ready = guests.get(i).shareDir().resolve(GUEST_CODE_DIR).resolve(start + ".ready");
                while (!Files.exists(ready)) {
                    if (outs.get(i).isDone()) {
                        outs.get(i).get(); // ended without getting ready: throws with its output
                        throw new LabException(guests.get(i).name() + ": workload ended before it was ready");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new LabException(guests.get(i).name() + ": workload not ready within " + RUN_TIMEOUT);
                    }
                    Thread.sleep(5);
                }
            }
            if (mode.demandAware()) {
                // Warm-ups end at different times: a guest still warming up borrows the vCPUs of one that waits,
                // and would size its timed phase from them. Every guest idles now, so the plan returns to rest.
                awaitRest(daemon.get(), restVcpus(guests), w);
            }
            for (Guest g : guests) {
                Files.createFile(g.shareDir().resolve(GUEST_CODE_DIR).resolve(start));
            }
            HostSteal before = HostSteal.read(Path.of("/"));
            List<String> stdouts = new ArrayList<>();
            for (int i = 0; i < outs.size(); i++) {
                stdouts.add(outs.get(i).get());
                if (i == 0 && w == Workload.PHASED) {
                    for (Guest g : guests.subList(1, guests.size())) { // the helpers stop with the first VM
                        Files.createFile(g.shareDir().resolve(GUEST_CODE_DIR).resolve(start + ".stop"));
                    }
                }
            }
            double steal = HostSteal.read(Path.of("/")).stolenSince(before);
            List<ExperimentResults.Run> runs = new ArrayList<>();
            for (int i = 0; i < guests.size(); i++) {
                if (!w.commandFor(i).equals(Workload.HELPER)) {
                    runs.add(parseResult(stdouts.get(i), w.id(), mode.id(), rep, guests.get(i).name(), steal));
                }
            }
            for (Guest g : guests) {
                for (String f : List.of(start, start + ".ready", start + ".stop")) {
                    Files.deleteIfExists(g.shareDir().resolve(GUEST_CODE_DIR).resolve(f));
                }
            }
            return runs;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The run from a workload's result line ({@link WorkloadMain}); throws with the output if there is none. */
    static ExperimentResults.Run parseResult(String stdout, String workload, String mode, int repeat, String guest,
                                             double hostSteal) {
        for (String line : stdout.split("\n")) {
            if (!line.startsWith(WorkloadMain.RESULT_PREFIX)) {
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (String part : line.substring(WorkloadMain.RESULT_PREFIX.length()).trim().split("\\s+")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            try {
                return new ExperimentResults.Run(workload, mode, repeat, guest, Integer.parseInt(kv.get("threads")),
                        Double.parseDouble(kv.get("wall_ms")), Double.parseDouble(kv.get("sys_s")),
                        Double.parseDouble(kv.get("user_s")), hostSteal,
                        Double.parseDouble(kv.getOrDefault("others_s", "-1")),
                        Double.parseDouble(kv.getOrDefault("p50_ms", "NaN")),
                        Double.parseDouble(kv.getOrDefault("p99_ms", "NaN")));
            } catch (RuntimeException e) {
                throw new LabException("malformed workload result from " + guest + ": " + line);
            }
        }
        throw new LabException("no workload result from " + guest + "; output:\n" + stdout);
    }

    private static String progressLine(int done, int cells, Mode mode, Workload w, int rep,
                                       List<ExperimentResults.Run> runs, ExperimentResults results) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "[%3d/%d] %-8s %-9s rep %d:", done, cells,
                mode.id(), w.id(), rep));
        for (ExperimentResults.Run r : runs) {
            s.append(String.format(Locale.ROOT, "  %s %6.2f s (sys %5.2f s, others %4.2f s, %d thr)", r.guest(),
                    r.wallMs() / 1000, r.sysSeconds(), r.othersSeconds(), r.threads()));
        }
        ExperimentResults.Cell c = results.cell(w.id(), mode.id());
        if (c != null && c.execNormalised() != null && mode != Mode.DEFAULT) {
            s.append(String.format(Locale.ROOT, "  | so far %.2fx default", c.execNormalised().median()));
        }
        if (!runs.isEmpty() && runs.get(0).hostSteal() >= 0.005) {
            s.append(String.format(Locale.ROOT, "  [host steal %.0f %%]", runs.get(0).hostSteal() * 100));
        }
        return s.toString();
    }

    /**
     * Copies the code the workloads need into every guest's share (the guest cannot see the host's /tmp,
     * and the host root is cached in the guest); returns the class path as the guest sees it.
     */
    private static String installCode(List<Guest> guests) throws IOException {
        Path from;
        try {
            from = Path.of(WorkloadMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the workload classes", e);
        }
        String name = Files.isRegularFile(from) ? "workloads.jar" : "classes";
        for (Guest g : guests) {
            Path dir = g.shareDir().resolve(GUEST_CODE_DIR);
            Files.createDirectories(dir);
            if (Files.isRegularFile(from)) {
                Files.copy(from, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } else {
                copyTree(from.resolve("io/vcpubal/lab/experiment/workloads"),
                        dir.resolve(name).resolve("io/vcpubal/lab/experiment/workloads"));
            }
        }
        return Guest.GUEST_SHARE + "/" + GUEST_CODE_DIR + "/" + name;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path dst = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(f, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String qemuVersion() {
        try {
            Process p = new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("unknown").trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }
}
