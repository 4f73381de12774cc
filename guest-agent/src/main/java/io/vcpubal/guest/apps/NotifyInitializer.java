package io.vcpubal.guest.apps;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/** Pipeline of one notify-socket subscriber: lines in (bounded in length and rate), lines out. */
final class NotifyInitializer extends ChannelInitializer<Channel> {
    /** Longest line a client may send; a longer one closes the connection as soon as it is seen. */
    static final int MAX_LINE = 256;
    /** Lines a client may send in any one second; a contention reporter sends one per period. */
    static final int MAX_LINES_PER_SECOND = 10;

    private final OnlineBroadcast broadcast;
    private final AppContention contention;
    private final LongSupplier nanoTime;

    /** @param nanoTime monotonic clock of the rate limit ({@code System::nanoTime}; a fake in tests) */
    NotifyInitializer(OnlineBroadcast broadcast, AppContention contention, LongSupplier nanoTime) {
        this.broadcast = broadcast;
        this.contention = contention;
        this.nanoTime = nanoTime;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                // failFast: a line without end is refused when it passes MAX_LINE, not discarded forever.
                .addLast(new LineBasedFrameDecoder(MAX_LINE, true, true))
                .addLast(new StringDecoder(StandardCharsets.UTF_8))
                .addLast(new StringEncoder(StandardCharsets.UTF_8))
                .addLast(new NotifyHandler(broadcast, contention,
                        new LineRateLimit(MAX_LINES_PER_SECOND), nanoTime));
    }
}
