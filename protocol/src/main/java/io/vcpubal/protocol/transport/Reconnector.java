package io.vcpubal.protocol.transport;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one link of a {@link Transport} open: opens it, and whenever the open fails or the link's channel
 * closes, opens it again after a {@link Backoff} pause. Never spins: a link that ends within {@link #SHORT_LINK}
 * (a virtio port without a host) counts as a failed open, so such reopens back off up to {@link Backoff#max()};
 * a link that lived longer is reopened after {@link Backoff#initial()}.
 *
 * <p>The application sees links through its pipeline handler ({@code channelActive}/{@code channelInactive});
 * {@link #current()} is for callers that want to write from outside.
 */
public final class Reconnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconnector.class);

    private final Transport transport;
    private final Backoff backoff;
    private final ScheduledExecutorService timer;
    /** Links shorter than this count as failed opens for the back-off. */
    static final Duration SHORT_LINK = Duration.ofSeconds(1);

    private int failures;
    private long upSinceNanos;
    private final LongSupplier nanoTime;
    private boolean started;
    private boolean closed;
    private Channel current;
    private ScheduledFuture<?> pending;

    /** Re-opens {@code transport} with {@link Backoff#DEFAULT}, timed by Netty's global executor. */
    public Reconnector(Transport transport) {
        this(transport, Backoff.DEFAULT, GlobalEventExecutor.INSTANCE);
    }

    /** Re-opens {@code transport} with {@code backoff}; pauses are scheduled on {@code timer}. */
    public Reconnector(Transport transport, Backoff backoff, ScheduledExecutorService timer) {
        this(transport, backoff, timer, System::nanoTime);
    }

    /** As above with the clock that measures link lifetimes injectable (tests). */
    Reconnector(Transport transport, Backoff backoff, ScheduledExecutorService timer, LongSupplier nanoTime) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.timer = Objects.requireNonNull(timer, "timer");
            this.nanoTime = nanoTime;
    }

    /** Opens the first link now. Calling it again has no effect. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        attempt();
    }

    /** The open link, or null between links. */
    public synchronized Channel current() {
        return current;
    }

    private synchronized void attempt() {
        pending = null;
        if (!closed) {
            transport.open().addListener((FutureListener<Channel>) this::opened);
        }
    }

    private void opened(Future<Channel> f) {
        Channel ch;
        synchronized (this) {
            if (!f.isSuccess()) {
                failures++;
                Duration pause = backoff.delay(failures);
                if (failures == 1) {
                    LOG.info("cannot open {}: {}; retrying with back-off up to {}", transport, f.cause().toString(),
                            backoff.max());
                } else {
                    LOG.debug("open of {} failed {} times: {}", transport, failures, f.cause().toString());
                }
                schedule(pause);
                return;
            }
            ch = f.getNow();
            if (closed) {
                ch.close();
                return;
            }
            current = ch;
            upSinceNanos = nanoTime.getAsLong();
        }
        LOG.debug("link up: {}", ch);
        ch.closeFuture().addListener(c -> ended(ch));
    }

    private synchronized void ended(Channel ch) {
        LOG.debug("link down: {}", ch);
        if (current == ch) {
            current = null;
        }
        // A link that ends at once (a virtio port with no host reads EOF right away) counts as a failed open,
        // so an absent host costs a reopen every few seconds, not ten a second.
        if (nanoTime.getAsLong() - upSinceNanos < SHORT_LINK.toNanos()) {
            failures++;
        } else {
            failures = 0;
        }
        schedule(backoff.delay(failures));
    }

    private void schedule(Duration pause) {
        if (!closed) {
            pending = timer.schedule(this::attempt, pause.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Stops re-opening and closes the current link; the transport itself stays open (it is the caller's). */
    @Override
    public void close() {
        Channel ch;
        synchronized (this) {
            closed = true;
            if (pending != null) {
                pending.cancel(false);
            }
            ch = current;
            current = null;
        }
        if (ch != null) {
            ch.close();
        }
    }
}
