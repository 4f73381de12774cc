package io.vcpubal.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the bytes one link reads per second, placed before its {@link FrameDecoder}: the decoder's work is
 * linear in the bytes it gets, so this bounds the host CPU a guest can make it spend per second.
 *
 * <p>Time is cut into one-second windows. When the bytes read in a window reach the budget, the handler turns
 * {@code autoRead} off until the window ends: the excess stays in the kernel's (or QEMU's) buffer and costs the
 * host nothing, and the guest's writes block. What a read brings beyond the budget is passed on and charged to
 * the next windows, so a sustained flood gets the budget per second on average. Each stop counts as one
 * {@link FrameStats#throttled()}. The clock is the event loop's {@code ticker()} (a mock ticker in tests).
 * While stopped it also holds back explicit {@code read()} requests from the handlers behind it: a
 * {@code ByteToMessageDecoder} that decoded nothing asks for more with {@code ctx.read()} even when
 * {@code autoRead} is off, so a guest sending pure junk would otherwise never be stopped. The rest of the
 * pipeline must leave {@code autoRead} alone.
 */
public final class ReadRateLimiter extends ChannelDuplexHandler {
    /**
     * A budget for a guest link: 256 KiB/s, where a guest's reports and replies need a few KB/s. Lower budgets cut
     * what many flooding guests cost together (34 of 500 cost ~20 % of a core here, the fleet simulator) but make a
     * guest that stops flooding wait longer until the junk still queued in QEMU is drained (64 KiB/s: over 3 min
     * in HostPluginIT): a trade-off not made yet.
     */
    public static final long DEFAULT_BYTES_PER_SECOND = 256 * 1024;

    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long bytesPerSecond;
    private final FrameCounters counters;
    private boolean started;
    private long windowStart;
    private long used;
    private ScheduledFuture<?> resume;
    private boolean readHeld;

    /** A limiter of {@code bytesPerSecond} (at least 1) reporting its stops to {@code counters}. */
    public ReadRateLimiter(long bytesPerSecond, FrameCounters counters) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            roll(now(ctx));
            used += buf.readableBytes();
            if (used >= bytesPerSecond && resume == null) {
                counters.throttled();
                ctx.channel().config().setAutoRead(false);
                scheduleResume(ctx);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (resume != null) {
            readHeld = true; // asked for while stopped: passed on when the window ends
            return;
        }
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (resume != null) {
            resume.cancel(false);
            resume = null;
        }
        ctx.fireChannelInactive();
    }

    private void scheduleResume(ChannelHandlerContext ctx) {
        long delay = windowStart + WINDOW_NANOS - now(ctx);
        resume = ctx.executor().schedule(() -> resume(ctx), Math.max(1, delay), TimeUnit.NANOSECONDS);
    }

    private void resume(ChannelHandlerContext ctx) {
        roll(now(ctx));
        if (used >= bytesPerSecond) {
            scheduleResume(ctx); // a read overshot by more than a window's budget: still paying it off
            return;
        }
        resume = null;
        ctx.channel().config().setAutoRead(true); // reads again (through read() above, now open)
        if (readHeld) {
            readHeld = false;
            ctx.read();
        }
    }

    /** Starts the window {@code now} falls in; each window that passed pays off one budget. */
    private void roll(long now) {
        if (!started) {
            started = true;
            windowStart = now;
            return;
        }
        long windows = (now - windowStart) / WINDOW_NANOS;
        if (windows > 0) {
            windowStart += windows * WINDOW_NANOS;
            used = windows > used / bytesPerSecond ? 0 : used - windows * bytesPerSecond;
        }
    }

    private static long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
