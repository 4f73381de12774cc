package io.vcpubal.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.codec.FrameDecoder;
import io.vcpubal.protocol.codec.FrameEncoder;
import io.vcpubal.protocol.codec.FrameFormat;
import io.vcpubal.protocol.codec.ReadRateLimiter;
import io.vcpubal.protocol.v1.Envelope;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The pipeline every transport uses, on both sides of the link:
 *
 * <pre>
 * inbound:  ["readLimiter" ReadRateLimiter →] "frameDecoder" FrameDecoder
 *                                            → "protobufDecoder" ProtobufDecoder(Envelope) → "handler"
 * outbound: "frameEncoder" FrameEncoder ← "protobufEncoder" ProtobufEncoder ← "handler"
 * </pre>
 *
 * <p>The read limiter is there when a byte budget per second is given (the host gives one per guest link, the
 * guest trusts its host and gives none): it bounds the decoding work a peer can cause per second.
 *
 * <p>The handler reads and writes {@link Envelope} messages. It is created per channel by the supplier (return
 * the same {@code @Sharable} instance, or a nested {@link ChannelInitializer} to add several handlers, e.g. an
 * {@code IdleStateHandler} before the business handler). A CRC-valid frame that does not parse as an Envelope
 * reaches the handler's {@code exceptionCaught} as a {@code DecoderException}.
 */
@Sharable
public final class ProtocolInitializer extends ChannelInitializer<Channel> {
    /** Pipeline name of the {@link FrameDecoder}, e.g. to read its stats. */
    public static final String FRAME_DECODER = "frameDecoder";
    /** Pipeline name of the {@link ReadRateLimiter}, when there is one. */
    public static final String READ_LIMITER = "readLimiter";
    /** Pipeline name of the caller's handler. */
    public static final String HANDLER = "handler";

    private final Supplier<? extends ChannelHandler> handlers;
    private final int maxPayloadLength;
    private final FrameCounters counters;
    private final long maxReadBytesPerSecond;
    private final FrameEncoder frameEncoder;
    private final ProtobufDecoder protobufDecoder = new ProtobufDecoder(Envelope.getDefaultInstance());
    private final ProtobufEncoder protobufEncoder = new ProtobufEncoder();

    /** A pipeline with the default 1 MiB frame bound, fresh counters shared by all its channels, no read limit. */
    public ProtocolInitializer(Supplier<? extends ChannelHandler> handlers) {
        this(handlers, FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH, new FrameCounters());
    }

    /**
     * A pipeline whose frames carry at most {@code maxPayloadLength} payload bytes (both directions), and whose
     * decoders all report to {@code counters} (pass one instance per peer to keep totals across reconnects); no
     * read limit.
     */
    public ProtocolInitializer(Supplier<? extends ChannelHandler> handlers, int maxPayloadLength,
                               FrameCounters counters) {
        this(handlers, maxPayloadLength, counters, 0);
    }

    /**
     * As {@link #ProtocolInitializer(Supplier, int, FrameCounters)}, and each channel reads at most
     * {@code maxReadBytesPerSecond} bytes per second (e.g. {@link ReadRateLimiter#DEFAULT_BYTES_PER_SECOND});
     * 0 means no limit. Its stops are counted in {@code counters} ({@code throttled}).
     */
    public ProtocolInitializer(Supplier<? extends ChannelHandler> handlers, int maxPayloadLength,
                               FrameCounters counters, long maxReadBytesPerSecond) {
        if (maxReadBytesPerSecond < 0) {
            throw new IllegalArgumentException("maxReadBytesPerSecond must be >= 0: " + maxReadBytesPerSecond);
        }
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.maxPayloadLength = maxPayloadLength;
        this.counters = Objects.requireNonNull(counters, "counters");
        this.maxReadBytesPerSecond = maxReadBytesPerSecond;
        this.frameEncoder = new FrameEncoder(maxPayloadLength); // also validates the bound
    }

    /** The counters all decoders of this initializer report to. */
    public FrameCounters counters() {
        return counters;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (maxReadBytesPerSecond > 0) {
            p.addLast(READ_LIMITER, new ReadRateLimiter(maxReadBytesPerSecond, counters));
        }
        p.addLast(FRAME_DECODER, new FrameDecoder(maxPayloadLength, counters));
        p.addLast("protobufDecoder", protobufDecoder);
        p.addLast("frameEncoder", frameEncoder);
        p.addLast("protobufEncoder", protobufEncoder);
        p.addLast(HANDLER, Objects.requireNonNull(handlers.get(), "handler supplier returned null"));
    }
}
