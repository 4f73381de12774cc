package io.vcpubal.lab.experiment.workloads;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Phaser;

/**
 * The parallel kernels of the experiment's workloads. Each does a fixed total amount of work split among
 * {@code threads} workers, so more threads means less work each (like PARSEC and Phoenix), and returns a
 * checksum so neither the JIT nor a bug can skip the work unnoticed.
 */
final class Kernels {
    private Kernels() {}

    /**
     * Lock/futex-heavy: {@code total} short critical sections under one contended JVM monitor, with
     * {@code outside} steps of private work between them. The monitor spins adaptively while it believes the
     * owner is running, then parks in the kernel (futex), like glibc's adaptive mutexes and the kernel's own
     * spinlocks. A guest cannot see that the owner's vCPU was preempted, so its waiters spin for nothing and
     * every wake-up waits for a host time slice: lock-holder preemption.
     */
    static long lock(int threads, long total, int outside) throws InterruptedException {
        Object lock = new Object();
        long[] shared = new long[8];
        runAll(threads, t -> {
            long mine = share(total, threads, t);
            long local = t;
            for (long i = 0; i < mine; i++) {
                for (int k = 0; k < outside; k++) {
                    local = local * 6364136223846793005L + 1442695040888963407L;
                }
                synchronized (lock) {
                    shared[1 + (int) (local >>> 62)] += local;
                    shared[0]++;
                }
            }
        });
        return shared[0];
    }

    /**
     * Barrier-heavy, like streamcluster: {@code steps} rounds, each a slice of {@code workPerStep} arithmetic
     * per thread followed by a barrier that every worker must reach before any goes on. The barrier is a
     * {@link Phaser}, which spins briefly before it blocks, like PARSEC's barrier with spinning enabled and
     * OpenMP runtimes: a worker whose vCPU is preempted keeps its siblings spinning, then sleeping.
     */
    static long barrier(int threads, int steps, long workPerStep) throws InterruptedException {
        Phaser barrier = new Phaser(threads);
        long[] sums = new long[threads];
        runAll(threads, t -> {
            long mine = share(workPerStep, threads, t);
            long x = t + 1;
            for (int s = 0; s < steps; s++) {
                for (long i = 0; i < mine; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                }
                barrier.arriveAndAwaitAdvance();
            }
            sums[t] = x;
        });
        long sum = 0;
        for (long s : sums) {
            sum += s;
        }
        return sum;
    }

    /**
     * Phoenix histogram: counts of each value of R, G and B over an image of RGB bytes, {@code passes} times
     * over the same image (more work without a bigger image in the guest's memory).
     */
    static long histogram(int threads, byte[] rgb, int passes) throws InterruptedException {
        int pixels = rgb.length / 3;
        int[][][] local = new int[threads][3][256];
        runAll(threads, t -> {
            long from = (long) pixels * t / threads;
            long to = (long) pixels * (t + 1) / threads;
            int[][] h = local[t];
            for (int pass = 0; pass < passes; pass++) {
                for (int p = (int) from; p < to; p++) {
                    int i = p * 3;
                    h[0][rgb[i] & 0xff]++;
                    h[1][rgb[i + 1] & 0xff]++;
                    h[2][rgb[i + 2] & 0xff]++;
                }
            }
        });
        long check = 0;
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                long n = 0;
                for (int t = 0; t < threads; t++) {
                    n += local[t][c][v];
                }
                check += n * (v + 1) * (c + 1);
            }
        }
        return check;
    }

    /** Phoenix word count: each worker counts the words of its slice of the text, then the maps are merged. */
    static long wordcount(int threads, byte[] text) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Map<String, int[]>[] maps = new Map[threads];
        runAll(threads, t -> {
            int from = wordStart(text, (int) ((long) text.length * t / threads));
            int to = wordStart(text, (int) ((long) text.length * (t + 1) / threads));
            Map<String, int[]> counts = new HashMap<>();
            int i = from;
            while (i < to) {
                while (i < to && text[i] == ' ') {
                    i++;
                }
                int s = i;
                while (i < to && text[i] != ' ') {
                    i++;
                }
                if (i > s) {
                    counts.computeIfAbsent(new String(text, s, i - s, java.nio.charset.StandardCharsets.ISO_8859_1),
                            k -> new int[1])[0]++;
                }
            }
            maps[t] = counts;
        });
        Map<String, int[]> all = new HashMap<>();
        for (Map<String, int[]> m : maps) {
            m.forEach((w, n) -> all.computeIfAbsent(w, k -> new int[1])[0] += n[0]);
        }
        long words = 0;
        for (int[] n : all.values()) {
            words += n[0];
        }
        return words * 1_000_003L + all.size();
    }

    /** Embarrassingly parallel control: independent arithmetic, no sharing at all. */
    static long parallel(int threads, long total) throws InterruptedException {
        long[] out = new long[threads * 8];
        runAll(threads, t -> {
            long mine = share(total, threads, t);
            double x = t + 0.5;
            for (long i = 0; i < mine; i++) {
                x = x * 1.0000001 + 0.25;
                if (x > 1e6) {
                    x -= 1e6;
                }
            }
            out[t * 8] = (long) x;
        });
        long sum = 0;
        for (long v : out) {
            sum += v;
        }
        return sum;
    }

    /**
     * Work-stealing arithmetic: {@code chunks} chunks of {@code perChunk} steps taken one at a time from a
     * shared counter, so a worker on a vCPU that got a pCPU more does more of them. With workers for every
     * possible CPU (not just the online ones at start) it uses CPUs that come online during the run, like a
     * service's fixed thread pool: the busy VM of the {@code phased} workload.
     */
    static long stealing(int threads, int chunks, long perChunk) throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        long[] out = new long[threads * 8];
        runAll(threads, t -> {
            double x = t + 0.5;
            while (next.getAndIncrement() < chunks) {
                for (long i = 0; i < perChunk; i++) {
                    x = x * 1.0000001 + 0.25;
                    if (x > 1e6) {
                        x -= 1e6;
                    }
                }
            }
            out[t * 8] += (long) x;
        });
        return next.get() - threads;
    }

    /** Busy for {@code busyMs} on every worker, then idle for {@code idleMs}, until {@code stop} says so. */
    static long onOff(int threads, long busyMs, long idleMs, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        long[] phases = new long[1];
        while (!stop.getAsBoolean()) {
            long end = System.nanoTime() + busyMs * 1_000_000;
            runAll(threads, t -> {
                double x = t;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 10_000; i++) {
                        x = x * 1.0000001 + 0.25;
                    }
                }
                if (x < 0) {
                    throw new IllegalStateException();
                }
            });
            long idleEnd = System.nanoTime() + idleMs * 1_000_000;
            while (System.nanoTime() < idleEnd && !stop.getAsBoolean()) {
                Thread.sleep(20);
            }
            phases[0]++;
        }
        return phases[0];
    }

    /**
     * A request/response service: {@code clients} clients each send a request, wait for the answer and think
     * {@code thinkMs} before the next, {@code requests} in all; {@code servers} workers answer, each request
     * {@code work} steps of arithmetic. Returns the latencies in microseconds, in completion order.
     */
    static long[] server(int servers, int clients, int requests, long work, long thinkMs) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(servers);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        long[] latencies = new long[requests];
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        try {
            runAll(clients, c -> {
                int n;
                while ((n = sent.getAndIncrement()) < requests) {
                    long t0 = System.nanoTime();
                    long seed = n;
                    double answer = pool.submit(() -> {
                        double x = seed + 0.5;
                        for (long i = 0; i < work; i++) {
                            x = x * 1.0000001 + 0.25;
                            if (x > 1e6) {
                                x -= 1e6;
                            }
                        }
                        return x;
                    }).get();
                    latencies[done.getAndIncrement()] = (System.nanoTime() - t0) / 1000 + (answer < 0 ? 1 : 0);
                    Thread.sleep(thinkMs);
                }
            });
        } finally {
            pool.shutdownNow();
        }
        return latencies;
    }

    /** The first index at or after {@code i} that starts a word (or the end), so slices never split a word. */
    static int wordStart(byte[] text, int i) {
        if (i <= 0) {
            return 0;
        }
        while (i < text.length && text[i - 1] != ' ') {
            i++;
        }
        return Math.min(i, text.length);
    }

    /** Worker {@code t}'s part of {@code total}: the parts of all workers add up to exactly {@code total}. */
    static long share(long total, int threads, int t) {
        return total * (t + 1) / threads - total * t / threads;
    }

    interface Worker {
        void run(int t) throws Exception;
    }

    private static void runAll(int threads, Worker w) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    w.run(id);
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "worker-" + t);
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("a worker failed", failure[0]);
        }
    }

    /** Used by tests: the words of {@code text}, for checking the parallel count. */
    static List<String> words(String text) {
        return List.of(text.trim().split(" +"));
    }
}
