package io.vcpubal.host.link;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The agent links' selector wakes at most once per window: when the loop comes back to select sooner than
 * {@code window} after it last did, it first sleeps the rest, so every report that arrived meanwhile is read
 * in one wake-up. With hundreds of guests reporting each second, one wake-up per report was most of the
 * daemon's CPU (the fleet simulator measured the kernel's context switch under {@code epoll_wait}); a loop
 * that was idle longer than the window selects at once, so a lone answer pays nothing. The cost is at most
 * one window of latency for messages and loop tasks while the loop is busy.
 */
public final class CoalescingSelectStrategy implements SelectStrategy {
    /** Sleeps on the event loop thread. */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    /** Starts one window back, so the first select does not wait. */
    private long lastSelect;

    CoalescingSelectStrategy(Duration window, LongSupplier nanoTime, Sleeper sleeper) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("coalescing window must not be negative: " + window);
        }
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.lastSelect = nanoTime.getAsLong() - windowNanos;
    }

    /** A factory for Netty's {@code NioIoHandler.newFactory(provider, factory)}; a zero window is Netty's default. */
    public static SelectStrategyFactory factory(Duration window) {
        return () -> new CoalescingSelectStrategy(window, System::nanoTime,
                nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectSupplier.get(); // Netty's default: poll without blocking, then run the tasks
        }
        long now = nanoTime.getAsLong();
        long since = now - lastSelect;
        if (since < windowNanos) {
            sleeper.sleepNanos(windowNanos - since);
            now = nanoTime.getAsLong();
        }
        lastSelect = now;
        return SelectStrategy.SELECT;
    }
}
