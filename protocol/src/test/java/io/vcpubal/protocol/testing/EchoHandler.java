package io.vcpubal.protocol.testing;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.vcpubal.protocol.v1.Envelope;

/** Sends every Envelope back. */
@Sharable
public final class EchoHandler extends SimpleChannelInboundHandler<Envelope> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
