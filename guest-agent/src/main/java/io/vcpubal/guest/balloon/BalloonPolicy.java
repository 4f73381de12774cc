package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.CpuSet;
import java.util.Objects;

/**
 * The guest admin's limits on ballooning, from the agent's configuration.
 *
 * @param floor the fewest CPUs that must stay online, at least 1 (default 1)
 * @param protectedCpus CPUs the balloon never changes, in either direction
 * @param maxLeaseMillis the longest lease a shrink may carry (default {@link #DEFAULT_MAX_LEASE_MILLIS}), at
 *     least {@link #MIN_LEASE_MILLIS}
 */
public record BalloonPolicy(int floor, CpuSet protectedCpus, long maxLeaseMillis) {

    public static final long DEFAULT_MAX_LEASE_MILLIS = 3_600_000;

    /**
     * The shortest lease a shrink or renewal may carry: the protocol's bound, not the admin's, because a
     * shorter lease expires before a host's renewal can plausibly arrive and the guest would flap.
     */
    public static final long MIN_LEASE_MILLIS = Bounds.MIN_LEASE_MS;

    public static final BalloonPolicy DEFAULT = new BalloonPolicy(1, CpuSet.empty(), DEFAULT_MAX_LEASE_MILLIS);

    /** @throws IllegalArgumentException for a floor outside 1..8192 or a lease bound below the minimum */
    public BalloonPolicy {
        Objects.requireNonNull(protectedCpus, "protectedCpus");
        if (floor < 1 || floor > Bounds.MAX_CPU + 1) {
            throw new IllegalArgumentException("floor must be between 1 and " + (Bounds.MAX_CPU + 1) + ", got " + floor);
        }
        if (maxLeaseMillis < MIN_LEASE_MILLIS) {
            throw new IllegalArgumentException("maxLeaseMillis must be at least " + MIN_LEASE_MILLIS + ", got "
                    + maxLeaseMillis);
        }
    }

    public BalloonPolicy(int floor, CpuSet protectedCpus) {
        this(floor, protectedCpus, DEFAULT_MAX_LEASE_MILLIS);
    }
}
