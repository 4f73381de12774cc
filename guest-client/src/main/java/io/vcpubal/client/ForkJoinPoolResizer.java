package io.vcpubal.client;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * Keeps a {@link ForkJoinPool}'s parallelism equal to a function of the online CPU count.
 *
 * <p>On Java 19 and later the pool is resized in place with {@code ForkJoinPool.setParallelism}. Java 17
 * has no way to change a pool's parallelism, so there the documented replacement strategy applies: a new
 * pool of the new parallelism becomes {@link #pool()}, and the old one is shut down gracefully (tasks
 * already submitted to it finish; nothing is interrupted). Callers must therefore fetch {@link #pool()} for
 * each submission rather than keep the pool in a field.
 */
public final class ForkJoinPoolResizer implements CpuCountListener {
    private static final MethodHandle SET_PARALLELISM = findSetParallelism();

    private final IntUnaryOperator parallelismForCpus;
    private volatile ForkJoinPool pool;

    public ForkJoinPoolResizer(int initialParallelism, IntUnaryOperator parallelismForCpus) {
        this.parallelismForCpus = parallelismForCpus;
        this.pool = new ForkJoinPool(Math.max(1, initialParallelism));
    }

    /** A resizer whose pool has one worker per online CPU, following {@code watcher}. */
    public static ForkJoinPoolResizer attach(CpuCountWatcher watcher) {
        ForkJoinPoolResizer r = new ForkJoinPoolResizer(watcher.current().count(), n -> n);
        watcher.addListener(r);
        return r;
    }

    /** Whether this JVM resizes in place (Java 19+) rather than replacing the pool. */
    public static boolean resizesInPlace() {
        return SET_PARALLELISM != null;
    }

    /** The pool to submit to now. */
    public ForkJoinPool pool() {
        return pool;
    }

    @Override
    public void onCpuCountChanged(CpuState previous, CpuState current) {
        resize(Math.max(1, parallelismForCpus.applyAsInt(current.count())));
    }

    /** Makes {@link #pool()} run with {@code parallelism} workers. */
    public synchronized void resize(int parallelism) {
        ForkJoinPool old = pool;
        if (old.getParallelism() == parallelism) {
            return;
        }
        if (SET_PARALLELISM != null) {
            try {
                SET_PARALLELISM.invoke(old, parallelism);
                return;
            } catch (Throwable e) {
                // Fall through to replacement; setParallelism only fails on bad arguments.
            }
        }
        pool = new ForkJoinPool(parallelism);
        old.shutdown();
    }

    /** Shuts the current pool down and waits for its tasks, at most {@code timeoutMs}. */
    public boolean shutdownAndAwait(long timeoutMs) throws InterruptedException {
        ForkJoinPool p = pool;
        p.shutdown();
        return p.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static MethodHandle findSetParallelism() {
        try {
            return MethodHandles.publicLookup().findVirtual(
                    ForkJoinPool.class, "setParallelism", MethodType.methodType(int.class, int.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
