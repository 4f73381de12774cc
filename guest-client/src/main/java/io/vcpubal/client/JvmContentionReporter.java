package io.vcpubal.client;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Optional: reports this JVM's monitor contention (threads blocked entering synchronized blocks) to the
 * agent every period as {@code contention COUNT MS}, so the host sees lock-holder preemption from inside
 * the application too. Blocked time needs thread contention monitoring, which this turns on. Only live
 * threads are sampled: contention of a thread that started and ended between two samples is not counted.
 */
public final class JvmContentionReporter implements AutoCloseable {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, long[]> last = new HashMap<>();
    private final ScheduledExecutorService timer;

    private JvmContentionReporter(CpuCountWatcher watcher, long periodMs) {
        if (threads.isThreadContentionMonitoringSupported()) {
            threads.setThreadContentionMonitoringEnabled(true);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vcpubal-contention");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            long[] d = sampleDelta();
            if (d[0] > 0 || d[1] > 0) {
                watcher.send("contention " + d[0] + " " + d[1]);
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    public static JvmContentionReporter start(CpuCountWatcher watcher, long periodMs) {
        return new JvmContentionReporter(watcher, periodMs);
    }

    /** Blocked count and milliseconds summed over live threads since the previous call. */
    synchronized long[] sampleDelta() {
        long count = 0;
        long ms = 0;
        Map<Long, long[]> now = new HashMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long[] cur = {t.getBlockedCount(), Math.max(0, t.getBlockedTime())};
            long[] prev = last.getOrDefault(t.getThreadId(), new long[2]);
            count += Math.max(0, cur[0] - prev[0]);
            ms += Math.max(0, cur[1] - prev[1]);
            now.put(t.getThreadId(), cur);
        }
        last.clear();
        last.putAll(now);
        return new long[] {count, ms};
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
