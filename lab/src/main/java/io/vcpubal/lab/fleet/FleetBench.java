package io.vcpubal.lab.fleet;

import io.vcpubal.lab.GuestImageCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./run-lab --fleet N}: the fleet run twice, side by side in one invocation: every agent honest, then
 * the same fleet with a share of hostile agents, so the honest VMs' figures can be compared directly.
 */
public final class FleetBench {
    private FleetBench() {}

    /** Hundreds of agents in this JVM would each log their start, balloons and stop: only their warnings. */
    public static void quietAgents() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.vcpubal.guest"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    public static List<FleetFigures> run(int vms, int pcpus, int hostilePercent, Duration warmup, Duration steady)
            throws IOException, InterruptedException {
        return run(vms, pcpus, hostilePercent, warmup, steady, false);
    }

    /** @param hostileOnly skip the honest run (to look at the hostile one alone) */
    public static List<FleetFigures> run(int vms, int pcpus, int hostilePercent, Duration warmup, Duration steady,
                                         boolean hostileOnly) throws IOException, InterruptedException {
        quietAgents();
        List<FleetFigures> all = new ArrayList<>();
        int[] runs = hostilePercent == 0 ? new int[] {0} : hostileOnly ? new int[] {hostilePercent}
                : new int[] {0, hostilePercent};
        for (int hostile : runs) {
            Path work = Files.createTempDirectory(Path.of("/tmp"), "vcpubal-fleet");
            Fleet.Options o = new Fleet.Options(vms, pcpus, hostile, warmup, steady, 42, work, GuestImageCache.defaultCache().dir());
            System.out.printf("lab: fleet of %d VMs (%d %% hostile) on a synthetic %d-pCPU host in %s%n", vms, hostile,
                    pcpus, work);
            try (Fleet fleet = new Fleet(o, line -> System.out.println("lab: " + line))) {
                FleetFigures f = fleet.run();
                f.lines().forEach(System.out::println);
                all.add(f);
            }
        }
        if (all.size() == 2) {
            System.out.printf("lab: fleet N=%d: honest guests with %d %% hostile vs none: adoption %.1f s vs %.1f s,"
                    + " new set after the weight change %.1f s vs %.1f s, daemon CPU %.1f %% vs %.1f %%%n", vms,
                    hostilePercent, all.get(1).adoptSeconds(), all.get(0).adoptSeconds(), all.get(1).changeSeconds(),
                    all.get(0).changeSeconds(), 100 * all.get(1).steadyCoreShare(), 100 * all.get(0).steadyCoreShare());
        }
        return all;
    }
}
