package io.vcpubal.guest.apps;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The current state line and the subscribers who hear it. Two threads publish (the balloon command on the
 * link's loop, the periodic report on the timer), so each publish carries when its online set was read and
 * an older reading never replaces a newer one. Each subscriber is sent the latest line on its own event loop,
 * so whatever order the sends run in, its last line is the current one (a stale "3 CPUs" once stuck an app
 * at 3 while the guest had 2).
 */
final class OnlineBroadcast {
    private static final AttributeKey<String> LAST_SENT = AttributeKey.valueOf("vcpubal.lastSent");

    private final ChannelGroup subscribers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile String current;
    private long currentReadNanos;
    private boolean any;

    /**
     * Makes {@code line} current unless a later reading was published already; false when ignored or unchanged.
     *
     * @param readNanos {@link System#nanoTime()} taken no later than the online set was read
     */
    synchronized boolean publish(String line, long readNanos) {
        if (any && readNanos - currentReadNanos < 0) {
            return false;
        }
        any = true;
        currentReadNanos = readNanos;
        if (line.equals(current)) {
            return false;
        }
        current = line;
        for (Channel ch : subscribers) {
            ch.eventLoop().execute(() -> sendLatest(ch));
        }
        return true;
    }

    /** Adds a subscriber (from its own event loop) and sends it the current line. */
    void subscribe(Channel ch) {
        subscribers.add(ch);
        sendLatest(ch);
    }

    String current() {
        return current;
    }

    int size() {
        return subscribers.size();
    }

    void close() {
        subscribers.close().syncUninterruptibly();
    }

    private void sendLatest(Channel ch) {
        String line = current;
        if (line != null && !line.equals(ch.attr(LAST_SENT).getAndSet(line))) {
            ch.writeAndFlush(line + "\n");
        }
    }
}
