package io.vcpubal.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run-lab}: by default the demonstration ({@link LabDemo}): real guests with the agent inside, the
 * host plugin ballooning and pinning them. With {@code --exec} it only boots guests and runs commands.
 */
@Command(name = "run-lab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boots real Linux guests under QEMU (multi-threaded TCG), runs the vcpubal agent in each and"
                + " the host plugin beside them: shows the handshake, the plan by weight, the guests ballooned to"
                + " their share and each vCPU thread pinned, then restores and shuts everything down.",
                "With --exec it only boots the guests and runs the given commands in each.",
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

    @Option(names = "--prepare-only", description = "only build the guest image cache")
    boolean prepareOnly;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
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
                return new LabDemo(guests, v, w).run(image);
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
