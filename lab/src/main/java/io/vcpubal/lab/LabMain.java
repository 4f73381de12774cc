package io.vcpubal.lab;

import io.vcpubal.lab.experiment.Experiment;
import io.vcpubal.lab.experiment.ExperimentOptions;
import io.vcpubal.lab.experiment.Mode;
import io.vcpubal.lab.experiment.Workload;
import io.vcpubal.lab.fleet.FleetBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import io.vcpubal.lab.policy.PolicyResults;
import io.vcpubal.lab.policy.PolicyScenario;
import io.vcpubal.lab.policy.ThrottleBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run-lab}: by default the experiment ({@link Experiment}): the same work in the same guests under
 * the host's scheduler, static affinity, the host plugin and a hand-made ideal, with a report and a chart.
 * {@code --demo} shows the host plugin step by step ({@link LabDemo}); {@code --exec} only boots guests and
 * runs commands.
 */
@Command(name = "run-lab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boots real Linux guests under QEMU (multi-threaded TCG) with the vcpubal agent in each and runs"
                + " the experiment: lock-, barrier-heavy, histogram, wordcount, embarrassingly parallel, phased (one VM"
                + " busy, the other busy and idle in turns) and server (request/response with think time) workloads in"
                + " every guest at once, in the modes default (host scheduler), affinity (static pins), vcpubal (the"
                + " host plugin plans by weight and demand, balloons and pins), vcpubal-static (by weight alone),"
                + " vcpubal-fence (by weight alone, fencing instead of hotplug) and ideal"
                + " (hand-made best static configuration); writes lab-results/<timestamp>/ with results.json,"
                + " report.md and chart.svg.",
                "With --demo it shows the host plugin's handshake, plan, balloon and pins step by step instead;"
                + " with --exec it only boots the guests and runs the given commands in each.",
                "Lab numbers are TCG numbers: they overstate what the same plan gains under KVM."})
public final class LabMain implements Callable<Integer> {
    @Option(names = "--guests", defaultValue = "2", description = "number of guests (default ${DEFAULT-VALUE})")
    int guests;

    @Option(names = "--vcpus", description = "vCPUs per guest (default: the host's CPU count, so vCPUs are"
            + " overcommitted like the paper's 24 vCPUs on 12 cores)")
    Integer vcpus;

    @Option(names = "--weights", split = ",", paramLabel = "W,W,...",
            description = "weight of each guest, e.g. 2,1,1 (default: equal)")
    List<Integer> weights;

    @Option(names = "--memory", defaultValue = "" + GuestSpec.DEFAULT_MEMORY_MIB,
            description = "MiB per guest (default ${DEFAULT-VALUE})")
    int memoryMiB;

    @Option(names = "--exec", description = "shell command to run in every guest (repeatable)")
    List<String> commands = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "120", description = "seconds per command (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--demo", description = "show the host plugin step by step instead of running the experiment")
    boolean demo;

    @Option(names = "--backend", defaultValue = "qmp",
            description = "demo: qmp (the lab starts QEMU itself) or libvirt (TCG domains in a libvirtd, found by the"
                    + " host plugin with no VM configured) (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--repeats", defaultValue = "3", description = "experiment: runs per workload and mode (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--workloads", split = ",", paramLabel = "W,W,...",
            description = "experiment: workloads to run (default: all of lock, barrier, histogram, wordcount, parallel,"
                    + " phased, server)")
    List<String> workloads;

    @Option(names = "--modes", split = ",", paramLabel = "M,M,...",
            description = "experiment: modes to run; default is always included as the baseline (default: all of"
                    + " default, affinity, vcpubal, vcpubal-static, vcpubal-fence, ideal)")
    List<String> modes;

    @Option(names = "--scale", defaultValue = "1", description = "experiment: work per run relative to the full size (default ${DEFAULT-VALUE})")
    double scale;

    @Option(names = "--quick", description = "experiment: one small workload (lock, scale 0.25) once per mode")
    boolean quick;

    @Option(names = "--results-dir", defaultValue = "lab-results",
            description = "experiment: where the <timestamp>/ directory goes (default ${DEFAULT-VALUE})")
    Path resultsDir;

    @Option(names = "--fleet", paramLabel = "N",
            description = "instead: the fleet simulator, N simulated VMs (the project's agent on fake sysfs trees,"
                    + " stand-in QEMU processes with real idle vCPU threads) around the real host daemon, run once"
                    + " with honest agents and once with --fleet-hostile %% hostile ones; prints the daemon's CPU,"
                    + " memory, round times and convergence times")
    Integer fleet;

    @Option(names = "--fleet-pcpus", defaultValue = "256", description = "fleet: synthetic host pCPUs (default ${DEFAULT-VALUE})")
    int fleetPcpus;

    @Option(names = "--fleet-hostile", defaultValue = "10",
            description = "fleet: %% of VMs with a hostile agent in the second run, 0 = no second run (default ${DEFAULT-VALUE})")
    int fleetHostile;

    @Option(names = "--fleet-hostile-only", description = "fleet: only the run with hostile agents")
    boolean fleetHostileOnly;

    @Option(names = "--fleet-warmup", defaultValue = "30",
            description = "fleet: seconds between adoption and the steady window, while the daemon's JIT compiles (default ${DEFAULT-VALUE})")
    int fleetWarmupSeconds;

    @Option(names = "--fleet-steady", defaultValue = "30",
            description = "fleet: seconds of nothing changing over which the daemon's CPU is measured (default ${DEFAULT-VALUE})")
    int fleetSteadySeconds;

    @Option(names = "--policies", description = "process policies: idle-time and proportional share across two guests,"
            + " written as a report section under --results-dir (about 5 minutes)")
    boolean policies;

    @Option(names = "--throttles", description = "which cgroup knob (cpu.idle, cpu.max, cgroup.freeze) in one guest"
            + " frees the host CPU for another guest's job, and how fast: printed as lab: lines (about 3 minutes)")
    boolean throttles;

    @Option(names = "--prepare-only", description = "only build the guest image cache")
    boolean prepareOnly;

    private List<Mode> modes() {
        if (modes == null) {
            return List.of(Mode.values());
        }
        LinkedHashSet<Mode> chosen = new LinkedHashSet<>();
        chosen.add(Mode.DEFAULT);
        modes.forEach(m -> chosen.add(Mode.byId(m)));
        return List.copyOf(chosen);
    }

    private int runPolicies(GuestImage image, int v) throws Exception {
        PolicyResults r;
        try (Lab lab = Lab.builder().image(image).guest(GuestSpec.of("pol-a", v)).guest(GuestSpec.of("pol-b", v)).start()) {
            r = new PolicyScenario(lab, lab.guest("pol-a"), lab.guest("pol-b")).run();
        }
        Path dir = resultsDir.resolve("policies-" + java.time.LocalDateTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("report.md"), "# vcpubal lab: process policies\n\n" + r.markdown());
        System.out.println(r.markdown());
        System.out.println("lab: policy report: " + dir.resolve("report.md"));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (fleet != null) { // no guest is booted: QEMU and the image are not needed
            try {
                FleetBench.run(fleet, fleetPcpus, fleetHostile, Duration.ofSeconds(fleetWarmupSeconds),
                        Duration.ofSeconds(fleetSteadySeconds), fleetHostileOnly);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("run-lab: " + e.getMessage());
                return 2;
            }
        }
        Prerequisites.check();
        GuestImage image = GuestImageCache.defaultCache().prepare();
        System.out.println("lab: image " + image.kernelVersion() + ": " + image.kernel() + ", " + image.initrd());
        if (prepareOnly) {
            return 0;
        }
        int v = vcpus != null ? vcpus : Runtime.getRuntime().availableProcessors();
        if (commands.isEmpty()) {
            List<Integer> w = weights != null ? weights : java.util.Collections.nCopies(guests, 1);
            try {
                if (demo) {
                    return new LabDemo(guests, v, w, backend).run(image);
                }
                if (policies) {
                    return runPolicies(image, v);
                }
                if (throttles) {
                    try (Lab lab = Lab.builder().image(image).guest(GuestSpec.of("thr-a", v)).guest(GuestSpec.of("thr-b", v))
                            .start()) {
                        new ThrottleBench(lab.guest("thr-a"), lab.guest("thr-b")).run();
                    }
                    return 0;
                }
                List<Workload> ws = quick ? List.of(Workload.LOCK) : workloads == null ? List.of(Workload.values())
                        : workloads.stream().map(Workload::byId).toList();
                ExperimentOptions options = new ExperimentOptions(guests, v, w, quick ? 1 : repeats, ws,
                        modes(), quick ? 0.25 : scale, resultsDir);
                new Experiment(options).run(image);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("run-lab: " + e.getMessage());
                return 2;
            }
        }
        Lab.Builder builder = Lab.builder().image(image);
        for (int i = 1; i <= guests; i++) {
            builder.guest(GuestSpec.of("g" + i, v).withMemoryMiB(memoryMiB));
        }
        long t0 = System.nanoTime();
        int failures = 0;
        try (Lab lab = builder.start()) {
            System.out.printf("lab: %d guest(s) ready in %.1f s%n", guests, (System.nanoTime() - t0) / 1e9);
            for (Guest g : lab.guests()) {
                System.out.printf("lab: %s boot-to-ready %.1f s, qemu pid %d, agent socket %s%n",
                        g.name(), g.bootToReady().toMillis() / 1e3, g.pid(), g.agentSocket());
            }
            for (String command : commands) {
                for (Guest g : lab.guests()) {
                    long c0 = System.nanoTime();
                    GuestResult r = g.exec(command, Duration.ofSeconds(timeoutSeconds));
                    System.out.printf("--- %s $ %s  (exit %d, %.2f s)%n%s%s", g.name(), command, r.exitCode(),
                            (System.nanoTime() - c0) / 1e9, r.stdout(), r.stderr());
                    if (!r.ok()) {
                        failures++;
                    }
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
