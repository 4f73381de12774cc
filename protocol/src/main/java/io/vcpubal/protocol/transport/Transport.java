package io.vcpubal.protocol.transport;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * One way to reach the peer, hiding whether the bytes travel over a Unix socket, a virtio-serial character
 * device or TCP. Every transport sets up its channels with the same initializer (normally
 * {@link io.vcpubal.protocol.ProtocolInitializer}), so the code above sees {@code Envelope}s only.
 *
 * <p>A link is one channel: it ends when the channel closes (peer gone, EOF, error), and the next one is
 * obtained by calling {@link #open()} again, after a pause; {@link Reconnector} does that.
 */
public interface Transport extends AutoCloseable {

    /**
     * Opens the next link. The future completes with an active channel whose pipeline is already set up (its
     * handler has seen {@code channelActive}), or fails, e.g. when the socket is absent or the device busy.
     * Listeners run on a Netty executor thread; do not block in them.
     */
    Future<Channel> open();

    /**
     * Closes the current link and whatever the transport itself owns (a listening socket, its own event loop);
     * an event loop group passed in by the caller stays the caller's. Idempotent; later {@link #open()} calls
     * fail.
     */
    @Override
    void close();
}
