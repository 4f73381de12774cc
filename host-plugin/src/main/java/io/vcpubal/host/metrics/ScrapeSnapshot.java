package io.vcpubal.host.metrics;

import java.util.function.Supplier;

/**
 * Takes a value once for all the callbacks of one scrape: the first asks, the others within
 * {@link #MAX_AGE_NANOS} get the same. A scrape's callbacks run one after the other in well under that.
 */
final class ScrapeSnapshot<T> implements Supplier<T> {
    static final long MAX_AGE_NANOS = 500_000_000L;

    private final Supplier<T> source;
    private final java.util.function.LongSupplier nanoTime;
    private T value;
    private long takenAt;

    ScrapeSnapshot(Supplier<T> source) {
        this(source, System::nanoTime);
    }

    ScrapeSnapshot(Supplier<T> source, java.util.function.LongSupplier nanoTime) {
        this.source = source;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized T get() {
        long now = nanoTime.getAsLong();
        if (value == null || now - takenAt > MAX_AGE_NANOS) {
            value = source.get();
            takenAt = now;
        }
        return value;
    }
}
