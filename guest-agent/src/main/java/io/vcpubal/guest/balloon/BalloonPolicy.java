package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.CpuSet;
import java.util.Objects;

/**
 * The guest admin's limits on ballooning, from the agent's configuration.
 *
 * @param floor the fewest CPUs that must stay online, at least 1 (default 1)
 * @param protectedCpus CPUs the balloon never changes, in either direction
 * @param maxLeaseMillis the longest lease a shrink may carry (default {@link #DEFAULT_MAX_LEASE_MILLIS})
 */
public record BalloonPolicy(int floor, CpuSet protectedCpus, long maxLeaseMillis) {

    public static final long DEFAULT_MAX_LEASE_MILLIS = 3_600_000;

    public static final BalloonPolicy DEFAULT = new BalloonPolicy(1, CpuSet.empty(), DEFAULT_MAX_LEASE_MILLIS);

    /** @throws IllegalArgumentException for a floor outside 1..8192 or a non-positive lease bound */
    public BalloonPolicy {
        Objects.requireNonNull(protectedCpus, "protectedCpus");
        if (floor < 1 || floor > Bounds.MAX_CPU + 1) {
            throw new IllegalArgumentException("floor must be between 1 and " + (Bounds.MAX_CPU + 1) + ", got " + floor);
        }
        if (maxLeaseMillis < 1) {
            throw new IllegalArgumentException("maxLeaseMillis must be positive, got " + maxLeaseMillis);
        }
    }

    public BalloonPolicy(int floor, CpuSet protectedCpus) {
        this(floor, protectedCpus, DEFAULT_MAX_LEASE_MILLIS);
    }
}
