package io.vcpubal.lab.apps;

import io.vcpubal.client.CpuCountWatcher;
import io.vcpubal.client.ForkJoinPoolResizer;
import io.vcpubal.client.ThreadPoolResizer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A guest application that sizes its pools with guest-client. Runs inside a lab guest; prints one line per
 * change, {@code pool cpus=N core=C max=M fj=P agent=true|false}, which the lab test reads.
 */
public final class PoolApp {
    public static void main(String[] args) throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        try (CpuCountWatcher watcher = CpuCountWatcher.start()) {
            ThreadPoolResizer.attach(watcher, pool);
            ForkJoinPoolResizer fj = ForkJoinPoolResizer.attach(watcher);
            Runnable print = () -> System.out.printf("pool cpus=%d core=%d max=%d fj=%d agent=%s%n",
                    watcher.current().count(), pool.getCorePoolSize(), pool.getMaximumPoolSize(),
                    fj.pool().getParallelism(), watcher.connectedToAgent());
            watcher.addListener((prev, now) -> print.run());
            while (true) {
                Thread.sleep(1000);
                print.run();
            }
        }
    }
}
