package io.vcpubal.protocol.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Links over blocking byte streams, one {@link StreamChannel} per link, all on one dedicated daemon
 * {@link DefaultEventLoop} that this transport owns. The guest's end of the virtio-serial port is
 * {@link #charDevice(Path, ChannelHandler)}.
 *
 * <p>Virtio-serial semantics the caller should know:
 * <ul>
 *   <li>Without a host client, reads return EOF at once: the channel closes right after it opened, and the
 *       next {@link #open()} should come ~100 ms later (qemu-ga does the same; {@link Reconnector} with
 *       {@link Backoff#DEFAULT} does exactly that).</li>
 *   <li>The guest cannot tell that a host is present until bytes arrive, and writes block while none is:
 *       let the host speak first.</li>
 *   <li>A link closed by the guest while the host is still connected leaves its reader blocked in the
 *       kernel, holding the device: re-opening fails with EBUSY until the host sends or disconnects.</li>
 * </ul>
 */
public final class StreamTransport implements Transport {
    /** Opens the streams of one link; runs on the transport's event loop. */
    @FunctionalInterface
    public interface Opener {
        /** Opens the streams, or throws if the peer cannot be reached now. */
        ByteStreams open() throws IOException;
    }

    private final Opener opener;
    private final ChannelHandler initializer;
    private final DefaultEventLoop loop;
    private final String name;
    private volatile Channel current;
    private volatile boolean closed;

    /**
     * A transport whose links read and write what {@code opener} opens, set up by {@code initializer}; its event
     * loop thread is called {@code threadName}.
     */
    public StreamTransport(Opener opener, ChannelHandler initializer, String threadName) {
        this.opener = opener;
        this.initializer = initializer;
        this.loop = new DefaultEventLoop(new DefaultThreadFactory(threadName, true));
        this.name = threadName;
    }

    /** The guest side: the virtio-serial character device at {@code device} (see {@link VirtioPortLocator}). */
    public static StreamTransport charDevice(Path device, ChannelHandler initializer) {
        return new StreamTransport(() -> ByteStreams.openDevice(device), initializer, "vcpubal-port");
    }

    @Override
    public Future<Channel> open() {
        Promise<Channel> promise = GlobalEventExecutor.INSTANCE.newPromise();
        if (closed) {
            return promise.setFailure(new IllegalStateException("transport closed"));
        }
        loop.execute(() -> openOnLoop(promise));
        return promise;
    }

    private void openOnLoop(Promise<Channel> promise) {
        ByteStreams streams;
        try {
            streams = opener.open();
        } catch (IOException | RuntimeException e) {
            promise.tryFailure(e);
            return;
        }
        StreamChannel ch = new StreamChannel(streams);
        ch.pipeline().addLast(initializer);
        current = ch;
        loop.register(ch).addListener(f -> {
            if (!f.isSuccess()) {
                ch.unsafe().closeForcibly();
                promise.tryFailure(f.cause());
            } else if (closed) {
                ch.close();
                promise.tryFailure(new IllegalStateException("transport closed"));
            } else {
                // a later task, so the handler has seen channelActive before the caller gets the channel
                loop.execute(() -> promise.trySuccess(ch));
            }
        });
    }

    /**
     * Closes the current link and stops the event loop without waiting for it: a write blocked on a port
     * without a host would never let it finish (its thread is a daemon and does not hold up JVM exit).
     */
    @Override
    public void close() {
        closed = true;
        Channel ch = current;
        if (ch != null) {
            ch.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "StreamTransport[" + name + "]";
    }
}
