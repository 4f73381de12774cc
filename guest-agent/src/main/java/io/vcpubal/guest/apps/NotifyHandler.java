package io.vcpubal.guest.apps;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber of the notify socket: gets the current state on connect (then every change through the
 * server's {@link OnlineBroadcast}) and may send {@code contention COUNT MS} lines, at most as many per second as
 * its {@link LineRateLimit} lets through; the rest are dropped and counted.
 */
final class NotifyHandler extends SimpleChannelInboundHandler<String> {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyHandler.class);

    private final OnlineBroadcast broadcast;
    private final AppContention contention;
    private final LineRateLimit limit;
    private final LongSupplier nanoTime;
    private long dropped;

    NotifyHandler(OnlineBroadcast broadcast, AppContention contention, LineRateLimit limit, LongSupplier nanoTime) {
        this.broadcast = broadcast;
        this.contention = contention;
        this.limit = limit;
        this.nanoTime = nanoTime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        broadcast.subscribe(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        // Every line counts against the rate, garbage too: parsing is what a flood would cost.
        if (!limit.tryAcquire(nanoTime.getAsLong())) {
            contention.dropLine();
            if (dropped++ == 0) {
                LOG.warn("notify client {} sends more than {} lines per second; dropping the excess",
                        ctx.channel().id().asShortText(), NotifyInitializer.MAX_LINES_PER_SECOND);
            }
            return;
        }
        String[] p = line.trim().split(" ");
        if (p.length == 3 && p[0].equals("contention")) {
            try {
                contention.add(Long.parseLong(p[1]), Long.parseLong(p[2]));
            } catch (NumberFormatException ignored) {
                // Unknown or malformed lines are ignored, as the format promises.
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (dropped > 0) {
            LOG.info("notify client {} disconnected; {} of its lines were dropped by the rate limit",
                    ctx.channel().id().asShortText(), dropped);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
