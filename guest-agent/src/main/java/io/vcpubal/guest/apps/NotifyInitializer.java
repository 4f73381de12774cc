package io.vcpubal.guest.apps;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.nio.charset.StandardCharsets;

/** Pipeline of one notify-socket subscriber: lines in (bounded), lines out. */
final class NotifyInitializer extends ChannelInitializer<Channel> {
    /** Longest line a client may send; longer ones close the connection. */
    static final int MAX_LINE = 256;

    private final ChannelGroup subscribers;
    private final NotifyServer server;
    private final AppContention contention;

    NotifyInitializer(ChannelGroup subscribers, NotifyServer server, AppContention contention) {
        this.subscribers = subscribers;
        this.server = server;
        this.contention = contention;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast(new LineBasedFrameDecoder(MAX_LINE))
                .addLast(new StringDecoder(StandardCharsets.UTF_8))
                .addLast(new StringEncoder(StandardCharsets.UTF_8))
                .addLast(new NotifyHandler(subscribers, server, contention));
    }
}
