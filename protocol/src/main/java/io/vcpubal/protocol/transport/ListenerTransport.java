package io.vcpubal.protocol.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening side of a stream socket that, like QEMU's socket chardev, serves one client at a time: while a
 * client is connected it stops accepting, so the next client's connect succeeds in the kernel's backlog and is
 * served when the current one leaves (a client accepted in the same batch is closed). {@link #open()} yields
 * the next client. Used for development (an agent outside a VM) and to stand in for QEMU in tests.
 */
public final class ListenerTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerTransport.class);

    private final ChannelHandler initializer;
    private final Path socketFile; // null for TCP
    private volatile Channel server;
    private Channel link;            // the admitted client, until it closes
    private Channel ready;           // admitted, set up, not yet returned by open()
    private Promise<Channel> waiting; // an open() waiting for the next client
    private boolean closed;

    private ListenerTransport(ChannelHandler initializer, Path socketFile) {
        this.initializer = initializer;
        this.socketFile = socketFile;
    }

    /** Listens on a TCP address (port 0 picks a free port, see {@link #localAddress()}). Binds before returning. */
    public static ListenerTransport tcp(InetSocketAddress address, EventLoopGroup group, ChannelHandler initializer) {
        ListenerTransport t = new ListenerTransport(initializer, null);
        t.bind(group, NioServerSocketChannel.class, address);
        return t;
    }

    /** Listens on a Unix domain socket; the socket file must not exist yet and is removed by {@link #close()}. */
    public static ListenerTransport unix(Path socket, EventLoopGroup group, ChannelHandler initializer) {
        ListenerTransport t = new ListenerTransport(initializer, socket);
        t.bind(group, NioServerDomainSocketChannel.class, UnixDomainSocketAddress.of(socket));
        return t;
    }

    private void bind(EventLoopGroup group, Class<? extends ServerChannel> type, SocketAddress address) {
        server = new ServerBootstrap().group(group).channel(type)
                .childOption(ChannelOption.AUTO_CLOSE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!admit(ch)) {
                            LOG.warn("refusing {}: a client is already connected to {}", ch, address);
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(initializer);
                        // runs after registration finished, i.e. after the handler saw channelActive
                        ch.eventLoop().execute(() -> handOver(ch));
                    }
                })
                .bind(address).syncUninterruptibly().channel();
    }

    /** The bound address (with the actual port when bound to port 0). */
    public SocketAddress localAddress() {
        return server.localAddress();
    }

    private synchronized boolean admit(Channel ch) {
        if (closed || (link != null && link.isOpen())) {
            return false;
        }
        link = ch;
        server.config().setAutoRead(false); // like QEMU: stop accepting while a client is served
        ch.closeFuture().addListener(f -> forget(ch));
        return true;
    }

    private synchronized void handOver(Channel ch) {
        if (link != ch || !ch.isActive()) {
            return;
        }
        if (waiting != null) {
            waiting.trySuccess(ch);
            waiting = null;
        } else {
            ready = ch;
        }
    }

    private synchronized void forget(Channel ch) {
        if (link == ch) {
            link = null;
            if (!closed) {
                server.config().setAutoRead(true);
            }
        }
        if (ready == ch) {
            ready = null;
        }
    }

    /** The connected client not yet returned, or else the next client to connect. */
    @Override
    public synchronized Future<Channel> open() {
        if (closed) {
            return GlobalEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException("transport closed"));
        }
        if (ready != null) {
            Channel ch = ready;
            ready = null;
            return GlobalEventExecutor.INSTANCE.newSucceededFuture(ch);
        }
        if (waiting == null) {
            waiting = GlobalEventExecutor.INSTANCE.newPromise();
        }
        return waiting;
    }

    @Override
    public void close() {
        Channel current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = link;
            if (waiting != null) {
                waiting.tryFailure(new IllegalStateException("transport closed"));
            }
        }
        if (current != null) {
            current.close().awaitUninterruptibly();
        }
        server.close().awaitUninterruptibly();
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove socket " + socketFile, e);
            }
        }
    }

    @Override
    public String toString() {
        return "ListenerTransport[" + (server == null ? "unbound" : server.localAddress()) + "]";
    }
}
