package io.vcpubal.lab.experiment.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs one workload inside a guest: {@code WorkloadMain NAME SCALE [START_FILE]}. Sizes its workers from the online
 * CPU count at start (like PARSEC's {@code -n $(nproc)}), does a fixed amount of work ({@code SCALE} times
 * the workload's base size, whatever the thread count), and prints one line for the host:
 *
 * <pre>vcpubal-workload name=lock threads=2 wall_ms=812.4 sys_s=0.31 user_s=1.20 check=123</pre>
 *
 * {@code wall_ms} covers the parallel phase only (not JVM start or input generation); {@code sys_s} and
 * {@code user_s} are this process's kernel and user CPU time over that phase, from {@code /proc/self/stat}.
 *
 * <p>With {@code START_FILE}, it creates {@code START_FILE.ready} once its input is generated and starts
 * the timed phase only when {@code START_FILE} appears, so the host can start every guest's phase at once
 * (JVM start-up under TCG takes seconds and varies from guest to guest).
 */
public final class WorkloadMain {
    /** The prefix of the result line. */
    public static final String RESULT_PREFIX = "vcpubal-workload ";

    private WorkloadMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: WorkloadMain lock|barrier|histogram|wordcount|parallel SCALE [START_FILE]");
            System.exit(2);
        }
        String name = args[0];
        double scale = Double.parseDouble(args[1]);
        int threads = Runtime.getRuntime().availableProcessors();
        Object[] input = new Object[1];
        Task task;
        switch (name) {
            case "lock" -> task = () -> Kernels.lock(threads, (long) (1_600_000 * scale));
            case "barrier" -> task = () -> Kernels.barrier(threads, (int) Math.max(1, 6_000 * scale), 20_000);
            case "histogram" -> {
                input[0] = Inputs.image((int) (10_000_000 * scale));
                task = () -> Kernels.histogram(threads, (byte[]) input[0]);
            }
            case "wordcount" -> {
                input[0] = Inputs.text((int) (8_000_000 * scale), 20_000);
                task = () -> Kernels.wordcount(threads, (byte[]) input[0]);
            }
            case "parallel" -> task = () -> Kernels.parallel(threads, (long) (60_000_000 * scale));
            default -> {
                System.err.println("unknown workload: " + name);
                System.exit(2);
                return;
            }
        }
        if (args.length == 3) {
            awaitStart(Path.of(args[2]));
        }
        Path proc = Path.of("/proc");
        ProcessTimes before = ProcessTimes.readSelf(proc);
        long t0 = System.nanoTime();
        long check = task.run();
        long t1 = System.nanoTime();
        ProcessTimes used = ProcessTimes.readSelf(proc).minus(before);
        System.out.println(String.format(Locale.ROOT, "%sname=%s threads=%d wall_ms=%.1f sys_s=%.2f user_s=%.2f check=%d",
                RESULT_PREFIX, name, threads, (t1 - t0) / 1e6, used.systemSeconds(), used.userSeconds(), check));
    }

    private static void awaitStart(Path startFile) throws Exception {
        Files.createFile(startFile.resolveSibling(startFile.getFileName() + ".ready"));
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (!Files.exists(startFile)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no start signal " + startFile + " within 600 s");
            }
            Thread.sleep(5);
        }
    }

    private interface Task {
        long run() throws Exception;
    }
}
