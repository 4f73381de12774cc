package io.vcpubal.protocol.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before opening a link again: {@code initial} after a link ended, then growing by
 * {@code factor} per consecutive failed open, capped at {@code max}.
 *
 * @param initial pause after a link ended and after the first failure; must be positive
 * @param max     longest pause; at least {@code initial}
 * @param factor  growth per consecutive failure; at least 1
 */
public record Backoff(Duration initial, Duration max, double factor) {
    /** 100 ms, doubling up to 5 s: the virtio-port re-open pause qemu-ga uses, and gentle on a missing socket. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0);

    /** Validates the bounds. */
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial back-off must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max back-off " + max + " is below initial " + initial);
        }
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("back-off factor must be at least 1: " + factor);
        }
    }

    /** The pause before the next open after {@code failures} consecutive failed opens (0: a link just ended). */
    public Duration delay(int failures) {
        double nanos = initial.toNanos() * Math.pow(factor, Math.max(0, failures - 1));
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }
}
