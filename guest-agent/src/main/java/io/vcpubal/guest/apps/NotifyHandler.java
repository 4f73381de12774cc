package io.vcpubal.guest.apps;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;

/**
 * One subscriber of the notify socket: gets the current state on connect (then every change through the
 * server's channel group) and may send {@code contention COUNT MS} lines.
 */
final class NotifyHandler extends SimpleChannelInboundHandler<String> {
    private final ChannelGroup subscribers;
    private final NotifyServer server;
    private final AppContention contention;

    NotifyHandler(ChannelGroup subscribers, NotifyServer server, AppContention contention) {
        this.subscribers = subscribers;
        this.server = server;
        this.contention = contention;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        subscribers.add(ctx.channel());
        String line = server.currentLine();
        if (line != null) {
            ctx.writeAndFlush(line + "\n");
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
