package io.vcpubal.guest.apps;

/**
 * At most {@code perSecond} lines in any one-second window: keeps the times of the last {@code perSecond}
 * lines accepted (fixed memory, whatever a client sends) and accepts a line when the oldest of them is a
 * second old. Not thread-safe: one per connection, used on its event loop.
 */
final class LineRateLimit {
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final long[] accepted;
    private int oldest;
    private int count;

    LineRateLimit(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be >= 1, got " + perSecond);
        }
        this.accepted = new long[perSecond];
    }

    /** True when a line arriving at {@code nowNanos} (a monotonic clock) is within the rate. */
    boolean tryAcquire(long nowNanos) {
        if (count < accepted.length) {
            accepted[(oldest + count++) % accepted.length] = nowNanos;
            return true;
        }
        // A difference, not a comparison, so a wrapping nanoTime stays correct.
        if (nowNanos - accepted[oldest] < WINDOW_NANOS) {
            return false;
        }
        accepted[oldest] = nowNanos;
        oldest = (oldest + 1) % accepted.length;
        return true;
    }
}
