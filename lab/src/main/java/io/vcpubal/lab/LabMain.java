package io.vcpubal.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line entry of the lab: prepares the guest image, boots guests, runs commands in each and
 * tears everything down. Handy to check a machine by hand; tests use {@link Lab} directly.
 */
@Command(name = "vcpubal-lab", mixinStandardHelpOptions = true,
        description = "Boots real Linux guests under QEMU (TCG) and runs commands in them.")
public final class LabMain implements Callable<Integer> {
    @Option(names = "--guests", defaultValue = "1", description = "number of guests (default ${DEFAULT-VALUE})")
    int guests;

    @Option(names = "--vcpus", defaultValue = "2", description = "vCPUs per guest (default ${DEFAULT-VALUE})")
    int vcpus;

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
    public Integer call() {
        Prerequisites.check();
        GuestImage image = GuestImageCache.defaultCache().prepare();
        System.out.println("lab: image " + image.kernelVersion() + ": " + image.kernel() + ", " + image.initrd());
        if (prepareOnly) {
            return 0;
        }
        Lab.Builder builder = Lab.builder().image(image);
        for (int i = 1; i <= guests; i++) {
            builder.guest(GuestSpec.of("g" + i, vcpus).withMemoryMiB(memoryMiB));
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
