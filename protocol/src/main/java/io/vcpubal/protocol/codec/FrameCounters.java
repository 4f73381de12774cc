package io.vcpubal.protocol.codec;

import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters a {@link FrameDecoder} (and its link's {@link ReadRateLimiter}) update. One instance may be shared by the decoders of
 * successive connections (e.g. one per VM across reconnects) so the totals survive a channel.
 */
public final class FrameCounters {
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder frames = new LongAdder();
    private final LongAdder frameBytes = new LongAdder();
    private final LongAdder droppedBytes = new LongAdder();
    private final LongAdder crcErrors = new LongAdder();
    private final LongAdder oversizedFrames = new LongAdder();
    private final LongAdder truncatedFrames = new LongAdder();
    private final LongAdder workBytes = new LongAdder();
    private final LongAdder throttled = new LongAdder();

    /** Counters starting at zero. */
    public FrameCounters() {
    }

    void received(int bytes) {
        bytesReceived.add(bytes);
    }

    void decoded(int frameLength) {
        frames.increment();
        frameBytes.add(frameLength);
    }

    void dropped(int bytes) {
        droppedBytes.add(bytes);
    }

    void crcError() {
        crcErrors.increment();
    }

    void oversized() {
        oversizedFrames.increment();
    }

    void truncated() {
        truncatedFrames.increment();
    }

    void work(long bytes) {
        workBytes.add(bytes);
    }

    void throttled() {
        throttled.increment();
    }

    /** The current values; each field is read once, concurrent updates may land in between. */
    public FrameStats snapshot() {
        long crc = crcErrors.sum();
        long oversized = oversizedFrames.sum();
        long truncated = truncatedFrames.sum();
        return new FrameStats(bytesReceived.sum(), frames.sum(), frameBytes.sum(), droppedBytes.sum(),
                crc + oversized + truncated, crc, oversized, truncated, workBytes.sum(), throttled.sum());
    }
}
