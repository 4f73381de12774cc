package io.vcpubal.guest.lease;

import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.BalloonRequest;
import io.vcpubal.guest.balloon.BalloonResult;
import io.vcpubal.guest.balloon.VcpuBalloon;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guarantee that a guest never stays shrunk because its controller vanished.
 *
 * <p>A shrink arms a lease of the request's {@code leaseMillis}; the host renews it with {@link #renew}.
 * When it runs out ({@link #expireIfDue()}, driven by {@link LeaseWatchdog}) every CPU that is not
 * protected is brought back online, the event is logged, handed to the expiry callback, and kept for the
 * next report ({@link #takeUnreportedExpiry()}). On shutdown {@link #restoreAll()} does the same without
 * waiting, e.g. {@code Runtime.getRuntime().addShutdownHook(new Thread(lease::restoreAll))} (SIGTERM).
 *
 * <p>All balloon changes of the agent go through this class so that a change and the lease that guards it
 * are updated under one lock: an expiry can never undo a shrink that was just granted a fresh lease.
 *
 * <p>Lease state:
 * <ul>
 *   <li>applied and CPUs left offline: the lease is (re)armed at now + {@code leaseMillis};</li>
 *   <li>applied and nothing left to restore: the lease is dropped;</li>
 *   <li>refused or rolled back: nothing changed, the lease (if any) is unchanged;</li>
 *   <li>failed half-way with CPUs left offline and no lease: a lease of {@code leaseMillis} is armed, so a
 *       broken state is restored even if the host goes quiet;</li>
 *   <li>restoring after expiry left CPUs offline: retried every {@link #RESTORE_RETRY}.</li>
 * </ul>
 */
public final class BalloonLease {

    /** How soon a restore that left CPUs offline is tried again. */
    public static final Duration RESTORE_RETRY = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(BalloonLease.class);

    private final VcpuBalloon balloon;
    private final Clock clock;
    private final Consumer<LeaseExpiry> onExpiry;
    private volatile Runnable deadlineListener = () -> { };

    /** Null while no lease is armed. */
    private Instant deadline;
    private LeaseExpiry unreported;
    private long expiries;

    public BalloonLease(VcpuBalloon balloon, Clock clock) {
        this(balloon, clock, expiry -> { });
    }

    /**
     * @param clock {@link MonotonicClock#create()} in production, a fake in tests
     * @param onExpiry called after each expiry has restored the CPUs (outside the lease's lock)
     */
    public BalloonLease(VcpuBalloon balloon, Clock clock, Consumer<LeaseExpiry> onExpiry) {
        this.balloon = Objects.requireNonNull(balloon, "balloon");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onExpiry = Objects.requireNonNull(onExpiry, "onExpiry");
    }

    /** Called (outside the lock) whenever the deadline may have moved; {@link LeaseWatchdog} reschedules. */
    public void setDeadlineListener(Runnable listener) {
        this.deadlineListener = Objects.requireNonNull(listener, "listener");
    }

    /** Carries out "set online vCPUs" and arms, keeps or drops the lease accordingly. */
    public BalloonResult apply(BalloonRequest request) {
        BalloonResult result;
        synchronized (this) {
            result = balloon.apply(request);
            if (result.fullyRestored()) {
                deadline = null;
            } else if (result.status() == BalloonResult.Status.APPLIED) {
                deadline = clock.instant().plusMillis(request.leaseMillis());
            } else if (result.status() == BalloonResult.Status.FAILED && deadline == null) {
                deadline = clock.instant().plusMillis(Math.max(0, request.leaseMillis()));
            }
        }
        deadlineListener.run();
        return result;
    }

    /**
     * Extends the lease to now + {@code leaseMillis}.
     *
     * @return false when there is no lease to renew: none was armed, or it already ran out (in which case
     *     the CPUs are restored now, before this returns)
     * @throws IllegalArgumentException if {@code leaseMillis} is outside {@link BalloonPolicy#MIN_LEASE_MILLIS}
     *     to the policy's maximum; nothing is changed then
     */
    public boolean renew(long leaseMillis) {
        long max = balloon.policy().maxLeaseMillis();
        if (leaseMillis < BalloonPolicy.MIN_LEASE_MILLIS) {
            throw new IllegalArgumentException("lease of " + leaseMillis + " ms is below the minimum of "
                    + BalloonPolicy.MIN_LEASE_MILLIS + " ms");
        }
        if (leaseMillis > max) {
            throw new IllegalArgumentException("lease of " + leaseMillis + " ms is above the maximum of " + max + " ms");
        }
        boolean renewed;
        synchronized (this) {
            Instant now = clock.instant();
            renewed = deadline != null && now.isBefore(deadline);
            if (renewed) {
                deadline = now.plusMillis(leaseMillis);
            }
        }
        if (!renewed) {
            expireIfDue();
        }
        deadlineListener.run();
        return renewed;
    }

    /** Restores every CPU if the lease has run out; the watchdog calls this at the deadline. */
    public Optional<LeaseExpiry> expireIfDue() {
        LeaseExpiry expiry;
        synchronized (this) {
            Instant now = clock.instant();
            if (deadline == null || now.isBefore(deadline)) {
                return Optional.empty();
            }
            BalloonResult restore = balloon.restoreAll();
            expiry = new LeaseExpiry(deadline, clock.instant(), restore);
            deadline = restore.fullyRestored() ? null : now.plus(RESTORE_RETRY);
            unreported = expiry;
            expiries++;
        }
        LOG.warn("balloon lease expired at {} without renewal; restoring all CPUs: {}", expiry.deadline(), expiry.restore());
        onExpiry.accept(expiry);
        deadlineListener.run();
        return Optional.of(expiry);
    }

    /** Drops the lease and brings every CPU that is not protected online now (shutdown, SIGTERM). */
    public BalloonResult restoreAll() {
        BalloonResult result;
        synchronized (this) {
            deadline = null;
            result = balloon.restoreAll();
        }
        LOG.info("restored all CPUs: {}", result);
        deadlineListener.run();
        return result;
    }

    /**
     * {@link #restoreAll()} for good (agent stop): later {@link #apply} calls are refused and change nothing,
     * so a host request still in flight when SIGTERM arrives cannot leave the guest shrunk without an agent.
     */
    public BalloonResult restoreAllAndStop() {
        BalloonResult result;
        synchronized (this) {
            deadline = null;
            result = balloon.restoreAllAndStop();
        }
        deadlineListener.run();
        return result;
    }

    /** Milliseconds until the lease runs out (0 if overdue); empty when no lease is armed. */
    public synchronized OptionalLong millisUntilExpiry() {
        if (deadline == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()));
    }

    public synchronized Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** The latest expiry not yet reported, once; the next report carries it. */
    public synchronized Optional<LeaseExpiry> takeUnreportedExpiry() {
        Optional<LeaseExpiry> taken = Optional.ofNullable(unreported);
        unreported = null;
        return taken;
    }

    /** Expiries since the agent started. */
    public synchronized long expiryCount() {
        return expiries;
    }
}
