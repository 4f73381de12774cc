package io.vcpubal.lab.policy;

import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.config.BalloonChoice;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.policy.ClassConfig;
import io.vcpubal.host.policy.ClassSetting;
import io.vcpubal.host.policy.ClassUsageMeter;
import io.vcpubal.host.policy.VmClassPlan;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestAgent;
import io.vcpubal.lab.Lab;
import io.vcpubal.lab.LabException;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.ClassState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The process-policy scenario on two real guests sharing the host's pCPUs (the lab's `--policies` and
 * {@code PolicyIT}). Guest a runs a CPU-bound batch (two shell loops), guest b a job of fixed work in two
 * processes. Without a policy the batch takes a's share; with idle-time (batch low, job high) b's job runs as
 * if a were idle and the batch gets its CPU back when b idles; then classes of shares 1:3 in the two VMs get
 * host CPU 1:3. Every figure comes from this one run.
 */
public final class PolicyScenario {
    private static final Duration T = Duration.ofSeconds(90);
    private static final Duration SHARE_WINDOW = Duration.ofSeconds(30);
    /** b's job alone takes about this long: long against the plans' reaction (a few seconds), so it is the job's speed that is compared. */
    private static final double JOB_MS = 15_000;
    /** How long a load runs before its CPU is measured, and over how long. */
    private static final Duration SETTLE = Duration.ofSeconds(8);
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final Lab lab;
    private final Guest a;
    private final Guest b;
    private HostDaemon daemon;
    /** Iterations of b's job, sized so that it takes a few seconds alone. */
    private int jobIterations = 20_000;

    /** @param a the batch guest (VM "a"), @param b the high-importance job's (VM "b"); agents not started yet */
    public PolicyScenario(Lab lab, Guest a, Guest b) {
        this.lab = lab;
        this.a = a;
        this.b = b;
    }

    /** Two CPU loops whose command lines carry {@code word}, which the class rules match. */
    private static String loops(String word) {
        return "for i in 1 2; do sh -c 'while :; do :; done' " + word + " & done; wait";
    }

    public PolicyResults run() throws Exception {
        GuestAgent.start(a);
        GuestAgent.start(b);
        try {
            // 1. No policy: b's job alone, then beside a's batch.
            startDaemon(List.of(), 256, 256);
            double probe = runJob();
            jobIterations = (int) Math.max(5_000, Math.min(2_000_000, jobIterations * JOB_MS / Math.max(probe, 1)));
            double alone = runJob();
            if (alone < 0.6 * JOB_MS) { // the probe ran before b's plan grew: size again from a run on its share
                jobIterations = (int) Math.min(2_000_000, jobIterations * JOB_MS / alone);
                alone = runJob();
            }
            a.spawn(loops("batchjob"));
            Thread.sleep(SETTLE.toMillis()); // demand-aware plan: a borrows what b leaves
            double batchAlone = hostCpus("a", WINDOW);
            double without = runJob();
            System.out.printf("lab: policy: b's job alone %.0f ms, beside a's batch without a policy %.0f ms (%.2fx);"
                    + " a's batch while b idles %.2f host CPUs%n", alone, without, without / alone, batchAlone);

            // 2. Idle-time: the batch low, b's job high.
            startDaemon(List.of(ClassConfig.parse("name=batch,vm=a,cmdline=*batchjob*,importance=low,shares=256"),
                    ClassConfig.parse("name=burst,vm=b,cmdline=*burstjob*,importance=high,shares=256")), 256, 256);
            await("a's batch classified (2 processes)", () -> processesIn("a", "batch") >= 2);
            // settled: the batch seen busy, unlimited, and borrowing what idle b lends
            await("a's batch busy, unlimited and borrowing while b idles", () -> quota("a", "batch") == 0
                    && daemon.classPlanOf("a").setting("batch").active() && daemon.planOf("a").share() > 1.5);
            Thread.sleep(ClassUsageMeter.HOLD_MS);
            long t0 = System.nanoTime();
            long[] reacted = {-1};
            long[] actuated = {-1}; // diagnostics: b's guest uses both vCPUs, each pinned to a pCPU of its own
            List<String> quotas = new java.util.concurrent.CopyOnWriteArrayList<>(); // diagnostics: a's batch quota
            String[] snapshot = {null}; // diagnostics: the VMs 5 s into b's job
            Thread watcher = new Thread(() -> {
                int lastQuota = Integer.MIN_VALUE;
                while (!Thread.currentThread().isInterrupted()) {
                    int qNow = quota("a", "batch");
                    if (qNow != lastQuota) {
                        quotas.add(((System.nanoTime() - t0) / 1_000_000) + " ms: " + qNow + " us");
                        lastQuota = qNow;
                    }
                    // b planned onto (nearly) every pCPU and a's batch held to what is left
                    VmPlan pb = daemon.planOf("b");
                    int q = quota("a", "batch");
                    if (reacted[0] < 0 && pb != null && pb.share() >= 1.9 && q > 0 && q <= Bounds.CPU_MAX_PERIOD_US) {
                        reacted[0] = (System.nanoTime() - t0) / 1_000_000;
                    }
                    if (snapshot[0] == null && System.nanoTime() - t0 > 5_000_000_000L) {
                        snapshot[0] = daemon.status().stream().map(v -> v.name() + ": mode " + v.mode() + ", online "
                                + v.guestOnline() + ", fenced " + v.guestFenced() + ", pins " + v.pins()).toList()
                                + ", host cgroups " + hostCgroups();
                    }
                    if (actuated[0] < 0 && bOnEveryPcpu()) {
                        actuated[0] = (System.nanoTime() - t0) / 1_000_000;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "policy-reaction");
            watcher.start();
            long aRun0 = runNs("a");
            double with = runJob();
            double aDuringJob = (runNs("a") - aRun0) / 1e6 / with;
            watcher.interrupt();
            watcher.join();
            Thread.sleep(ClassUsageMeter.HOLD_MS + 2_000); // b idle again: the hold passes, the quota is lifted
            await(() -> "a's batch unlimited again; plans " + daemon.classPlanOf("a") + " / " + daemon.classPlanOf("b")
                    + "\n" + topText(), () -> quota("a", "batch") == 0);
            Thread.sleep(SETTLE.toMillis());
            double batchPolicy = hostCpus("a", WINDOW);
            System.out.printf("lab: policy: idle-time: b's job beside a's low batch %.0f ms = %.2fx alone (without the"
                    + " policy %.2fx); b planned onto every pCPU and the batch limited %d ms after b's job started; a's batch while b idles %.2f host"
                    + " CPUs = %.0f %% of without the policy%n", with, with / alone, without / alone, reacted[0],
                    batchPolicy, 100 * batchPolicy / batchAlone);
            System.out.printf("lab: policy: idle-time: b's guest on both vCPUs, each on a pCPU of its own, %d ms after"
                    + " b's job started (-1: not during the job); a took %.2f host CPUs during the job; a's batch"
                    + " quota (0 = none) from the job's start: %s; 5 s into the job: %s%n", actuated[0], aDuringJob,
                    quotas, snapshot[0]);
            a.exec("pkill -f batchjob; true", Duration.ofSeconds(30));

            // 3. Proportional share: classes one (a, 100) and three (b, 300), both VMs of weight 100.
            startDaemon(List.of(ClassConfig.parse("name=one,vm=a,cmdline=*shareone*,shares=100"),
                    ClassConfig.parse("name=three,vm=b,cmdline=*sharethree*,shares=300")), 100, 100);
            a.spawn(loops("shareone"));
            b.spawn(loops("sharethree"));
            await(() -> "both classes busy and weighted 100:300; now: " + daemon.guestClasses("a") + " / "
                    + daemon.guestClasses("b") + ", plans " + daemon.classPlanOf("a") + " / " + daemon.classPlanOf("b"),
                    () -> processesIn("a", "one") >= 2
                    && processesIn("b", "three") >= 2 && planningWeight("a") == 100 && planningWeight("b") == 300);
            Thread.sleep(5_000); // the plan and the host's weights settle
            long guestA0 = usage("a", "one");
            long guestB0 = usage("b", "three");
            long runA0 = runNs("a");
            long runB0 = runNs("b");
            long w0 = System.nanoTime();
            Thread.sleep(SHARE_WINDOW.toMillis() / 2);
            String top = topText();
            Thread.sleep(SHARE_WINDOW.toMillis() / 2);
            double secs = (System.nanoTime() - w0) / 1e9;
            double[] host = {(runNs("a") - runA0) / 1e9 / secs, (runNs("b") - runB0) / 1e9 / secs};
            double[] guest = {(usage("a", "one") - guestA0) / 1e6 / secs, (usage("b", "three") - guestB0) / 1e6 / secs};
            System.out.printf("lab: policy: proportional share 1:3 over %.0f s: host-true %.2f : %.2f CPUs = 1:%.2f;"
                    + " guest view %.2f : %.2f CPUs = 1:%.2f%n", secs, host[0], host[1], host[1] / host[0], guest[0],
                    guest[1], guest[1] / guest[0]);
            a.exec("pkill -f shareone; true", Duration.ofSeconds(30));
            b.exec("pkill -f sharethree; true", Duration.ofSeconds(30));
            return new PolicyResults(alone, without, with, reacted[0], batchAlone, batchPolicy, host, guest, top);
        } finally {
            if (daemon != null) {
                daemon.close();
                daemon = null;
            }
        }
    }

    private void startDaemon(List<ClassConfig> classes, int weightA, int weightB) throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        HostConfig config = HostConfig.defaults().withControlSocket(lab.runDir().resolve("host.sock"))
                .withReconcileIntervalMs(1000).withVms(List.of(vm(a, "a", weightA), vm(b, "b", weightB)))
                .withClasses(classes);
        // Without the host CPU weights `vcpubal-host run` uses (CpuWeights.of(VmCgroups.open(...))): with them
        // this scenario did not reach its borrowing and unlimited states within 90 s in two runs; not yet
        // understood, so it still measures a daemon without per-VM host cgroups (see docs/policies.md).
        daemon = new HostDaemon(config, new SysfsTopologyDiscovery(Path.of("/")).discover(),
                new QmpBackend(Duration.ofSeconds(5)));
        daemon.start();
        await("both guests planned, pinned and connected", () -> daemon.planOf("a") != null && daemon.planOf("b") != null
                && daemon.status().stream().allMatch(s -> "connected".equals(s.agent()) && !s.pins().isEmpty()));
    }

    private static VmConfig vm(Guest g, String name, int weight) {
        return new VmConfig(name, weight, g.qmpSocket(), g.agentSocket(), 0, 0).withBalloon(BalloonChoice.AUTO);
    }

    /** The host cgroups of the VMs' pool threads and their cpu.idle / weight files, for the diagnostics. */
    private static String hostCgroups() {
        StringBuilder out = new StringBuilder();
        for (String base : List.of("/sys/fs/cgroup/cpu", "/sys/fs/cgroup")) {
            try (var dirs = Files.walk(Path.of(base), 2)) {
                dirs.filter(d -> d.toString().contains("/vcpubal") && Files.isDirectory(d)).forEach(d -> {
                    out.append(d).append('{');
                    for (String f : List.of("cpu.idle", "cpu.shares", "cpu.weight", "tasks", "cgroup.threads")) {
                        try {
                            out.append(f).append('=').append(Files.readString(d.resolve(f)).strip().replace('\n', ' '))
                                    .append(' ');
                        } catch (IOException | RuntimeException e) {
                            // not in this hierarchy
                        }
                    }
                    out.append("} ");
                });
            } catch (IOException | RuntimeException e) {
                // no such hierarchy
            }
        }
        return out.toString();
    }

    /** b's guest reports both vCPUs usable and the kernel pins each to one pCPU, the two different. */
    private boolean bOnEveryPcpu() {
        VmStatus s = daemon.status().stream().filter(v -> v.name().equals("b")).findFirst().orElse(null);
        if (s == null || s.guestOnline() == null || !s.guestOnline().equals("0-1")
                || s.guestFenced() != null && !s.guestFenced().isEmpty() || s.pins().size() < 2) {
            return false;
        }
        String p0 = s.pins().get(0).cpus();
        String p1 = s.pins().get(1).cpus();
        return p0 != null && p1 != null && !p0.contains("-") && !p0.contains(",") && !p1.contains("-")
                && !p1.contains(",") && !p0.equals(p1);
    }

    /** b's job: two processes counting to {@link #jobIterations}; wall time seen from the host. */
    private double runJob() {
        String count = "i=0; while [ $i -lt " + jobIterations + " ]; do i=$((i+1)); done";
        long t0 = System.nanoTime();
        b.exec("for i in 1 2; do sh -c '" + count + "' burstjob & done; wait", Duration.ofMinutes(5)).requireOk();
        return (System.nanoTime() - t0) / 1e6;
    }

    /** CPUs the VM's vCPU threads ran on the host over {@code window} (host-true, their schedstat). */
    private double hostCpus(String vm, Duration window) throws Exception {
        long before = runNs(vm);
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        return (runNs(vm) - before) / (double) (System.nanoTime() - t0);
    }

    private long runNs(String vm) {
        Guest g = vm.equals("a") ? a : b;
        VmStatus s = daemon.status().stream().filter(v -> v.name().equals(vm)).findFirst().orElseThrow();
        long sum = 0;
        for (VmStatus.VcpuPin p : s.pins()) {
            Path f = Path.of("/proc/" + g.pid() + "/task/" + p.tid() + "/schedstat");
            try {
                sum += Long.parseLong(Files.readString(f).trim().split("\\s+")[0]);
            } catch (IOException | RuntimeException e) {
                throw new LabException("cannot read " + f + ": " + e);
            }
        }
        return sum;
    }

    private int quota(String vm, String cls) {
        VmClassPlan p = daemon.classPlanOf(vm);
        ClassSetting s = p == null ? null : p.setting(cls);
        return s == null ? -1 : s.quotaUs();
    }

    private long planningWeight(String vm) {
        VmClassPlan p = daemon.classPlanOf(vm);
        return p == null ? -1 : p.planningWeight();
    }

    private ClassState guestClass(String vm, String cls) {
        return daemon.guestClasses(vm).stream().filter(c -> c.getName().equals(cls)).findFirst().orElse(null);
    }

    private int processesIn(String vm, String cls) {
        ClassState c = guestClass(vm, cls);
        return c == null ? 0 : c.getProcesses();
    }

    private long usage(String vm, String cls) {
        ClassState c = guestClass(vm, cls);
        return c == null ? 0 : c.getUsageUs();
    }

    /** What {@code vcpubal-host top} prints now (the same renderer, fed by this daemon). */
    private String topText() {
        return String.join("\n", io.vcpubal.host.cli.TopTable.render(daemon.top(20)));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, condition);
    }

    /** Waits for {@code condition}; on time-out the message says what was awaited and, from {@code what}, the state. */
    private static void await(java.util.function.Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new LabException("policy scenario: timed out after " + T.toSeconds() + " s waiting for: " + what.get());
            }
            Thread.sleep(100);
        }
    }
}
