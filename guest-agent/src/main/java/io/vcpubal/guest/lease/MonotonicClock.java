package io.vcpubal.guest.lease;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A {@link Clock} that advances with {@link System#nanoTime()}, anchored at the wall time it was created.
 *
 * <p>Lease deadlines must not move when the guest's wall clock is stepped (NTP, or a host resyncing the
 * clock after a migration or pause): a step backwards would keep a shrink alive too long, a step forwards
 * would restore CPUs the host just renewed. Instants from this clock look like wall time for logs and
 * reports but only differences between them are exact.
 */
public final class MonotonicClock extends Clock {

    private final Instant origin;
    private final long originNanos;
    private final LongSupplier nanoTime;

    private MonotonicClock(Instant origin, long originNanos, LongSupplier nanoTime) {
        this.origin = origin;
        this.originNanos = originNanos;
        this.nanoTime = nanoTime;
    }

    public static MonotonicClock create() {
        return of(Instant.now(), System::nanoTime);
    }

    /** Anchors {@code origin} at the ticker's current value. */
    static MonotonicClock of(Instant origin, LongSupplier nanoTime) {
        return new MonotonicClock(origin, nanoTime.getAsLong(), nanoTime);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        throw new UnsupportedOperationException("MonotonicClock is UTC only");
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(nanoTime.getAsLong() - originNanos);
    }
}
