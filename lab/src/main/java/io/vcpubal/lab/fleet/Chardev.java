package io.vcpubal.lab.fleet;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What QEMU's {@code -chardev socket,path=P,server=on,wait=off} plus a virtio-serial port give a VM, for a
 * simulated guest: the host's end is a Unix socket server at {@code P} (one client at a time), the guest's end
 * a loopback TCP port its agent connects to ({@code tcp=}). Bytes flow both ways while both ends are there;
 * what the guest writes while no host is connected is dropped, as QEMU drops it. A host that stops reading
 * stops the guest's end too (the virtqueue fills), so a flooding guest is held back, not buffered.
 */
public final class Chardev implements AutoCloseable {
    private final Channel hostServer;
    private final Channel guestServer;
    private final AtomicReference<Channel> host = new AtomicReference<>();
    private final AtomicReference<Channel> guest = new AtomicReference<>();

    private Chardev(Path socket, EventLoopGroup group) {
        this.hostServer = bind(group, NioServerDomainSocketChannel.class, UnixDomainSocketAddress.of(socket), host, guest);
        this.guestServer = bind(group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0), guest, host);
    }

    public static Chardev open(Path socket, EventLoopGroup group) throws IOException {
        Files.deleteIfExists(socket);
        return new Chardev(socket, group);
    }

    /** The loopback port the guest's agent connects to. */
    public int guestPort() {
        return ((InetSocketAddress) guestServer.localAddress()).getPort();
    }

    /** Whether a host (the daemon's link) is connected now. */
    public boolean hostConnected() {
        Channel c = host.get();
        return c != null && c.isActive();
    }

    private static Channel bind(EventLoopGroup group, Class<? extends ServerChannel> type, SocketAddress at,
                                AtomicReference<Channel> mine, AtomicReference<Channel> other) {
        return new ServerBootstrap().group(group).channel(type)
                .childHandler(new End(mine, other)).bind(at).syncUninterruptibly().channel();
    }

    /** One end: at most one connection; what it reads goes to the other end's connection. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class End extends ChannelInboundHandlerAdapter {
        private final AtomicReference<Channel> mine;
        private final AtomicReference<Channel> other;

        End(AtomicReference<Channel> mine, AtomicReference<Channel> other) {
            this.mine = mine;
            this.other = other;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!mine.compareAndSet(null, ctx.channel())) {
                ctx.close(); // the port already has its one client
                return;
            }
            Channel o = other.get();
            boolean paired = o != null && o.isActive();
            ctx.channel().config().setAutoRead(paired);
            if (paired) {
                o.config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (mine.compareAndSet(ctx.channel(), null)) {
                Channel o = other.get();
                if (o != null) {
                    o.config().setAutoRead(false); // nobody to read for until another connects
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel o = other.get();
            if (mine.get() != ctx.channel() || o == null || !o.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            o.writeAndFlush(msg);
            if (!o.isWritable()) { // the other end does not keep up: stop reading until it does
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel o = other.get();
            if (ctx.channel().isWritable() && o != null && mine.get() == ctx.channel()) {
                o.config().setAutoRead(true);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        for (AtomicReference<Channel> c : java.util.List.of(host, guest)) {
            Channel ch = c.get();
            if (ch != null) {
                ch.close();
            }
        }
        hostServer.close().syncUninterruptibly();
        guestServer.close().syncUninterruptibly();
    }
}
