package io.vcpubal.host.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.vcpubal.protocol.v1.Envelope;

/** Netty end of a {@link GuestLink}: hands every envelope and every link event to the link. */
final class GuestLinkHandler extends SimpleChannelInboundHandler<Envelope> {
    private final GuestLink link;

    GuestLinkHandler(GuestLink link) {
        this.link = link;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        link.connected(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.disconnected(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        link.received(ctx.channel(), msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        link.badInput(cause);
    }
}
