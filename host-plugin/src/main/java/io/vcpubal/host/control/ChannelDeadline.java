package io.vcpubal.host.control;

import java.io.IOException;
import java.nio.channels.Channel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a channel when its deadline passes: Unix-domain channels have no socket timeouts, and closing is
 * what makes a blocked connect, read or write give up (with AsynchronousCloseException).
 */
final class ChannelDeadline implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-deadline");
        t.setDaemon(true);
        return t;
    });

    private final AtomicBoolean expired = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    private ChannelDeadline(Channel channel, Duration timeout) {
        task = TIMER.schedule(() -> {
            expired.set(true);
            try {
                channel.close();
            } catch (IOException ignored) {
                // already closed
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    static ChannelDeadline arm(Channel channel, Duration timeout) {
        return new ChannelDeadline(channel, timeout);
    }

    /** True once the deadline passed and the channel was closed for it. */
    boolean expired() {
        return expired.get();
    }

    /** Disarms; the channel stays open. */
    @Override
    public void close() {
        task.cancel(false);
    }
}
