package io.vcpubal.guest.lease;

import io.vcpubal.guest.balloon.BalloonResult;
import java.time.Instant;
import java.util.Objects;

/**
 * A lease that ran out, and what restoring the CPUs did; kept until the next report says so.
 *
 * @param deadline when the lease ran out
 * @param restoredAt when the agent noticed and restored the CPUs
 * @param restore the result of restoring every CPU online
 */
public record LeaseExpiry(Instant deadline, Instant restoredAt, BalloonResult restore) {

    public LeaseExpiry {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(restoredAt, "restoredAt");
        Objects.requireNonNull(restore, "restore");
    }
}
