package io.vcpubal.guest.apps;

import java.util.concurrent.atomic.AtomicLong;

/** Monitor contention that local applications reported since the last {@link #drain()}. */
public final class AppContention {
    /** Bounds a single report so one bad client cannot overflow the sums. */
    static final long MAX_PER_REPORT = 1L << 40;

    private final AtomicLong blockedCount = new AtomicLong();
    private final AtomicLong blockedMs = new AtomicLong();
    private final AtomicLong droppedLines = new AtomicLong();

    /** Adds one client report; out-of-range values are ignored. */
    public void add(long count, long ms) {
        if (count < 0 || ms < 0 || count > MAX_PER_REPORT || ms > MAX_PER_REPORT) {
            return;
        }
        blockedCount.addAndGet(count);
        blockedMs.addAndGet(ms);
    }

    /** Counts one line a client sent above its rate limit. */
    void dropLine() {
        droppedLines.incrementAndGet();
    }

    /** Lines dropped for exceeding a client's rate limit since the agent started. */
    public long droppedLines() {
        return droppedLines.get();
    }

    /** Returns {count, ms} accumulated since the previous call and starts over. */
    public long[] drain() {
        return new long[] {blockedCount.getAndSet(0), blockedMs.getAndSet(0)};
    }
}
