package io.vcpubal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PoolResizerTest {
    @Test
    void threadPoolGrowsAndShrinksInTheOrderTheExecutorAccepts() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        try {
            ThreadPoolResizer r = new ThreadPoolResizer(pool, n -> 2 * n);
            r.onCpuCountChanged(new CpuState(1, "0"), new CpuState(4, "0-3"));
            assertEquals(8, pool.getCorePoolSize());
            assertEquals(8, pool.getMaximumPoolSize());
            r.onCpuCountChanged(new CpuState(4, "0-3"), new CpuState(1, "0"));
            assertEquals(2, pool.getCorePoolSize());
            assertEquals(2, pool.getMaximumPoolSize());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forkJoinPoolFollowsTheCountAndOldTasksFinish() throws Exception {
        ForkJoinPoolResizer r = new ForkJoinPoolResizer(2, n -> n);
        var before = r.pool();
        var task = before.submit(() -> 42);
        r.onCpuCountChanged(new CpuState(2, "0-1"), new CpuState(3, "0-2"));
        assertEquals(3, r.pool().getParallelism());
        assertEquals(42, task.get(10, TimeUnit.SECONDS));
        r.onCpuCountChanged(new CpuState(3, "0-2"), new CpuState(1, "0"));
        assertEquals(1, r.pool().getParallelism());
        assertEquals(7, r.pool().submit(() -> 7).get(10, TimeUnit.SECONDS));
        r.shutdownAndAwait(10_000);
    }
}
