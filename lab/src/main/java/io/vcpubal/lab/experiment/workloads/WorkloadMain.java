package io.vcpubal.lab.experiment.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs one workload inside a guest: {@code WorkloadMain NAME SCALE [START_FILE]}. Sizes its workers from the CPUs it
 * may use when the timed phase starts (like PARSEC's {@code -n $(nproc)} at job start; the warm-up used the count
 * at JVM start), does a fixed amount of work ({@code SCALE} times
 * the workload's base size, whatever the thread count), and prints one line for the host:
 *
 * <pre>vcpubal-workload name=lock threads=2 wall_ms=812.4 sys_s=0.31 user_s=1.20 others_s=0.05 check=123</pre>
 *
 * {@code wall_ms} covers the parallel phase only (not JVM start, input generation or warm-up); {@code sys_s} and
 * {@code user_s} are this process's kernel and user CPU time over that phase, from {@code /proc/self/stat};
 * {@code others_s} is what the rest of the guest (agent, kernel threads) kept busy meanwhile ({@link GuestBusy}).
 *
 * <p>With {@code START_FILE}, it creates {@code START_FILE.ready} once its input is generated and its kernel
 * warmed up ({@link #warmUp}), and starts the timed phase only when {@code START_FILE} appears, so the host can
 * start every guest's phase at once (JVM start-up under TCG takes seconds and varies from guest to guest).
 *
 * <p>{@code phased} and {@code server} size their workers from the <em>possible</em> CPUs instead, as a service's
 * fixed pool does, so they can use vCPUs that come online (or are unfenced) during the run: that is what a
 * work-conserving host can give them. {@code phased-helper} is the other VM of {@code phased}: busy and idle in
 * turns until {@code START_FILE.stop} appears. {@code server} adds {@code p50_ms}, {@code p99_ms} and
 * {@code rps} to its line.
 */
public final class WorkloadMain {
    /** The prefix of the result line. */
    public static final String RESULT_PREFIX = "vcpubal-workload ";
    static final double WARM_UP_FRACTION = 0.03;
    static final int WARM_UP_PASSES = 3;

    private WorkloadMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: WorkloadMain lock|barrier|histogram|wordcount|parallel|phased|phased-helper|server"
                    + " SCALE [START_FILE]");
            System.exit(2);
        }
        String name = args[0];
        double scale = Double.parseDouble(args[1]);
        boolean perPossibleCpu = name.equals("phased") || name.equals("server");
        int threads = perPossibleCpu ? possibleCpus(Path.of("/sys")) : Runtime.getRuntime().availableProcessors();
        // Sized again when the timed phase starts, as a job started then would be: under demand-aware plans
        // the usable CPUs during JVM start and warm-up can be ones lent for a moment.
        int[] sized = {threads};
        Path stopFile = args.length == 3 ? Path.of(args[2] + ".stop") : null;
        String[] extra = new String[1];
        Task task = name.equals("phased-helper") ? () -> Kernels.onOff(threads, HELPER_BUSY_MS, HELPER_IDLE_MS,
                () -> stopFile == null || Files.exists(stopFile))
                : name.equals("server") ? () -> {
                    long[] lat = Kernels.server(threads, 2 * threads, (int) (600 * scale), 1_000_000, 50);
                    extra[0] = latencies(lat);
                    return lat.length;
                }
                : task(name, () -> sized[0], scale);
        if (task == null) {
            System.err.println("unknown workload: " + name);
            System.exit(2);
            return;
        }
        if (!name.equals("phased-helper") && !name.equals("server")) {
            warmUp(name, threads, scale);
        } else if (name.equals("server")) {
            Kernels.server(threads, 2 * threads, 8, 1_000_000, 1);
        }
        if (args.length == 3) {
            awaitStart(Path.of(args[2]));
        }
        if (!perPossibleCpu) {
            sized[0] = Runtime.getRuntime().availableProcessors();
        }
        Path proc = Path.of("/proc");
        ProcessTimes before = ProcessTimes.readSelf(proc);
        GuestBusy guestBefore = GuestBusy.read(proc);
        long t0 = System.nanoTime();
        long check = task.run();
        long t1 = System.nanoTime();
        ProcessTimes used = ProcessTimes.readSelf(proc).minus(before);
        double others = GuestBusy.read(proc).othersSecondsSince(guestBefore, used);
        System.out.println(String.format(Locale.ROOT,
                "%sname=%s threads=%d wall_ms=%.1f sys_s=%.2f user_s=%.2f others_s=%.2f check=%d", RESULT_PREFIX, name,
                sized[0], (t1 - t0) / 1e6, used.systemSeconds(), used.userSeconds(), others, check)
                + (extra[0] == null ? "" : " " + extra[0] + String.format(Locale.ROOT, " rps=%.1f", check * 1e9 / (t1 - t0))));
    }

    /**
     * The workload {@code name} for {@code workers} workers (read when it runs) and {@code scale} times its base size, its input
     * already generated; null for an unknown name.
     */
    static Task task(String name, java.util.function.IntSupplier workers, double scale) {
        // base sizes: 1-2 s for one worker on one emulated vCPU, so noise of the host (a cloud VM itself)
        // stays small against the phase
        return switch (name) {
            case "lock" -> () -> Kernels.lock(workers.getAsInt(), (long) (10_000_000 * scale), 20);
            case "barrier" -> () -> Kernels.barrier(workers.getAsInt(), (int) Math.max(1, 24_000 * scale), 20_000);
            case "histogram" -> {
                // the image stays 30 MB at any scale above 1; more work is more passes over it
                double passes = Math.max(1, Math.round(5 * scale));
                byte[] image = Inputs.image((int) (10_000_000 * scale * 5 / passes));
                yield () -> Kernels.histogram(workers.getAsInt(), image, (int) passes);
            }
            case "wordcount" -> {
                byte[] text = Inputs.text((int) (16_000_000 * scale), 20_000);
                yield () -> Kernels.wordcount(workers.getAsInt(), text);
            }
            case "parallel" -> () -> Kernels.parallel(workers.getAsInt(), (long) (80_000_000 * scale));
            // about 13 s of one emulated vCPU, in 0.14 s chunks
            case "phased" -> () -> Kernels.stealing(workers.getAsInt(), (int) Math.max(1, 96 * scale), 10_000_000);
            default -> null;
        };
    }

    /**
     * Runs a few small passes of the same kernel, untimed, so the timed phase measures scheduling and not
     * the JIT compiling the kernel: under TCG compilation takes about a second of emulated CPU, which a
     * 1-vCPU guest pays inside the phase and a 2-vCPU guest hides on its second vCPU.
     */
    private static void warmUp(String name, int threads, double scale) throws Exception {
        Task small = task(name, () -> threads, scale * WARM_UP_FRACTION);
        for (int i = 0; i < WARM_UP_PASSES; i++) {
            small.run();
        }
    }

    /** The phased workload's other VM: busy, then idle, for a few seconds each (longer than a re-plan). */
    static final long HELPER_BUSY_MS = 4_000;
    static final long HELPER_IDLE_MS = 4_000;

    /** The CPUs the kernel could ever bring online ({@code /sys/devices/system/cpu/possible}). */
    static int possibleCpus(Path sys) throws java.io.IOException {
        int n = 0;
        for (String range : Files.readString(sys.resolve("devices/system/cpu/possible")).trim().split(",")) {
            String[] ends = range.split("-");
            n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return Math.max(1, n);
    }

    /** "p50_ms=.. p99_ms=.." of latencies in microseconds. */
    static String latencies(long[] micros) {
        long[] sorted = micros.clone();
        java.util.Arrays.sort(sorted);
        return String.format(Locale.ROOT, "p50_ms=%.1f p99_ms=%.1f", percentile(sorted, 0.50) / 1000.0,
                percentile(sorted, 0.99) / 1000.0);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
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

    interface Task {
        long run() throws Exception;
    }
}
