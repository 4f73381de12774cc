package io.vcpubal.protocol.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Client side of a stream socket: the host's end of a VM's port (the Unix socket QEMU listens on for the
 * virtio-serial chardev) or a TCP connection for development. NIO only, no native library.
 *
 * <p>The event loop group must be an NIO one, e.g.
 * {@code new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory())}; it stays the caller's.
 */
public final class SocketTransport implements Transport {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Bootstrap bootstrap;
    private final SocketAddress address;
    private final ChannelGroup links = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean closed;

    private SocketTransport(Bootstrap bootstrap, SocketAddress address) {
        this.bootstrap = bootstrap;
        this.address = address;
    }

    /** A client of the Unix domain socket at {@code socket}. */
    public static SocketTransport unix(Path socket, EventLoopGroup group, ChannelHandler initializer) {
        Bootstrap b = new Bootstrap().group(group).channel(NioDomainSocketChannel.class).handler(initializer);
        return new SocketTransport(b, UnixDomainSocketAddress.of(socket));
    }

    /** A TCP client of {@code address}, with Nagle's algorithm off (messages are small and latency matters). */
    public static SocketTransport tcp(InetSocketAddress address, EventLoopGroup group, ChannelHandler initializer) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(initializer)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
        return new SocketTransport(b, address);
    }

    /** The address this transport connects to. */
    public SocketAddress address() {
        return address;
    }

    @Override
    public Future<Channel> open() {
        Promise<Channel> promise = GlobalEventExecutor.INSTANCE.newPromise();
        if (closed) {
            return promise.setFailure(new IllegalStateException("transport closed: " + this));
        }
        ChannelFuture connect = bootstrap.connect(address);
        links.add(connect.channel());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                // a later task, so the handler has seen channelActive before the caller gets the channel
                connect.channel().eventLoop().execute(() -> promise.trySuccess(connect.channel()));
            } else {
                promise.tryFailure(f.cause());
            }
        });
        if (closed) { // close() raced with this open(): do not leave a link behind
            connect.channel().close();
        }
        return promise;
    }

    @Override
    public void close() {
        closed = true;
        links.close().awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "SocketTransport[" + address + "]";
    }
}
