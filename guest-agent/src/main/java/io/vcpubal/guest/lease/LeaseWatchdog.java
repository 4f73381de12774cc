package io.vcpubal.guest.lease;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes up exactly at the lease deadline (and not at all while no lease is armed) to let
 * {@link BalloonLease#expireIfDue()} restore the CPUs. The lease tells it when the deadline moves.
 */
public final class LeaseWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseWatchdog.class);

    private final BalloonLease lease;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> pending;
    private boolean closed;

    /** @param executor not owned: {@link #close()} cancels the pending check but leaves the executor running */
    public LeaseWatchdog(BalloonLease lease, ScheduledExecutorService executor) {
        this.lease = Objects.requireNonNull(lease, "lease");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    public void start() {
        lease.setDeadlineListener(this::reschedule);
        reschedule();
    }

    /** Plans the next check for the lease's current deadline. */
    public void reschedule() {
        // Read the lease before taking our lock: the lease calls us while holding its own.
        OptionalLong remaining = lease.millisUntilExpiry();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            if (remaining.isPresent()) {
                pending = executor.schedule(this::check, remaining.getAsLong(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void check() {
        try {
            lease.expireIfDue();
        } catch (RuntimeException e) {
            LOG.error("lease check failed", e);
        }
        reschedule();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        lease.setDeadlineListener(() -> { });
    }
}
