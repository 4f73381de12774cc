package io.vcpubal.guest.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Not a test: measures the CPU cost of one report's worth of sampling (ProcessSampler + SystemSampler) on
 * the live /proc, with a pause between samples as between reports (caches go cold: on a 2-vCPU KVM guest a
 * sample cost ~0.6 ms back to back but ~2.3 ms with 1 s pauses), and prints the JVM's RSS.
 * Run: {@code java -cp guest-agent/target/classes:guest-agent/target/test-classes:<slf4j jars>
 * io.vcpubal.guest.metrics.SamplerBench [rounds] [topN] [pauseMillis]}.
 */
public final class SamplerBench {

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int topN = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        long pauseMillis = args.length > 2 ? Long.parseLong(args[2]) : 100;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ProcessSampler processes = new ProcessSampler(Path.of("/"), topN);
        SystemSampler system = new SystemSampler(Path.of("/"));
        // Warm up the JIT as a long-running agent would be.
        for (int i = 0; i < 200; i++) {
            processes.sample();
            system.sample();
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        int scanned = 0;
        int reported = 0;
        int threadsSummed = 0;
        long cpu = 0;
        for (int i = 0; i < rounds; i++) {
            // Let processes accumulate ticks between samples, as between two reports; the pause is not counted.
            cpu += mx.getCurrentThreadCpuTime() - cpu0;
            Thread.sleep(pauseMillis);
            cpu0 = mx.getCurrentThreadCpuTime();
            ProcessTop top = processes.sample();
            system.sample();
            scanned = top.scanned();
            reported = top.processes().size();
            threadsSummed = top.processes().stream().mapToInt(ProcessCpu::threadsSummed).sum();
        }
        cpu += mx.getCurrentThreadCpuTime() - cpu0;
        double cpuMicros = cpu / 1e3 / rounds;
        System.out.printf("per sample: %.0f us CPU; %d processes scanned, %d reported, %d threads summed%n",
                cpuMicros, scanned, reported, threadsSummed);
        System.out.printf("at 1 Hz: %.3f %% of one CPU%n", cpuMicros / 1e6 * 100);
        try {
            java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS") || line.startsWith("VmHWM")).forEach(System.out::println);
        } catch (java.io.IOException e) {
            System.out.println("no /proc/self/status");
        }
    }
}
