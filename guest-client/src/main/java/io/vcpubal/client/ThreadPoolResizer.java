package io.vcpubal.client;

import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.IntUnaryOperator;

/**
 * Keeps a {@link ThreadPoolExecutor}'s core and maximum size equal to a function of the online CPU count.
 *
 * <p>Order matters: the executor rejects a core size above the maximum, so growing raises the maximum
 * first and shrinking lowers the core first. Surplus threads retire when they next go idle; running tasks
 * are never interrupted.
 */
public final class ThreadPoolResizer implements CpuCountListener {
    private final ThreadPoolExecutor pool;
    private final IntUnaryOperator sizeForCpus;

    /** {@code sizeForCpus} maps an online CPU count to a pool size (>= 1); e.g. {@code n -> n}. */
    public ThreadPoolResizer(ThreadPoolExecutor pool, IntUnaryOperator sizeForCpus) {
        this.pool = pool;
        this.sizeForCpus = sizeForCpus;
    }

    /** Attaches a resizer that sizes the pool to one thread per online CPU. */
    public static ThreadPoolResizer attach(CpuCountWatcher watcher, ThreadPoolExecutor pool) {
        return attach(watcher, pool, n -> n);
    }

    public static ThreadPoolResizer attach(CpuCountWatcher watcher, ThreadPoolExecutor pool,
                                           IntUnaryOperator sizeForCpus) {
        ThreadPoolResizer r = new ThreadPoolResizer(pool, sizeForCpus);
        watcher.addListener(r);
        return r;
    }

    @Override
    public void onCpuCountChanged(CpuState previous, CpuState current) {
        resize(Math.max(1, sizeForCpus.applyAsInt(current.count())));
    }

    /** Sets core and maximum size to {@code size}, in the order the executor accepts. */
    public void resize(int size) {
        synchronized (pool) {
            if (size > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(size);
                pool.setCorePoolSize(size);
            } else {
                pool.setCorePoolSize(size);
                pool.setMaximumPoolSize(size);
            }
        }
    }
}
