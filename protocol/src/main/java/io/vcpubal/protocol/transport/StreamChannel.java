package io.vcpubal.protocol.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty channel over a pair of blocking streams, for the guest's virtio-serial character device, which no
 * Netty transport wraps. It is active from the start (like an accepted socket) and closes itself on EOF.
 *
 * <p>Threads: one daemon reader thread per channel does the blocking reads and hands each chunk to the event
 * loop; writes run on the event loop, which must be a {@link DefaultEventLoop} of its own because a write to a
 * port without a host blocks. With {@code autoRead} (the default) the reader runs ahead of the event loop, so a
 * write blocked on a full peer never stops this side from draining what the peer sends (two blocking ends
 * would otherwise deadlock); with {@code autoRead=false} it reads one chunk per {@code read()} request.
 * The reader must be a daemon: closing the descriptor does not wake a read blocked in the kernel, which then
 * returns only when data or EOF arrives.
 */
public final class StreamChannel extends AbstractChannel {
    private static final Logger LOG = LoggerFactory.getLogger(StreamChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final int CHUNK = 16 * 1024;

    private final ChannelConfig config = new DefaultChannelConfig(this);
    private final ByteStreams streams;
    private final StreamAddress address;
    private final Semaphore readPermits = new Semaphore(0);
    private final AtomicBoolean readRequested = new AtomicBoolean();
    private volatile boolean open = true;
    private Thread reader; // touched on the event loop only

    /** A channel over {@code streams}; register it with a {@link DefaultEventLoop} to start it. */
    public StreamChannel(ByteStreams streams) {
        super(null);
        this.streams = streams;
        this.address = new StreamAddress(streams.name());
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a stream channel is connected from the start"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof DefaultEventLoop;
    }

    @Override
    protected SocketAddress localAddress0() {
        return address;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return address;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a stream channel cannot bind");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        readPermits.release(); // lets a reader waiting for a read request notice the close
        streams.closer().close();
    }

    @Override
    protected void doBeginRead() {
        if (!open) {
            return;
        }
        if (reader == null) {
            reader = new Thread(this::readLoop, "vcpubal-read-" + streams.name());
            reader.setDaemon(true);
            reader.start();
        }
        if (readRequested.compareAndSet(false, true)) {
            readPermits.release();
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName());
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws IOException {
        OutputStream out = streams.output();
        for (Object msg; (msg = in.current()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            if (buf.isReadable()) {
                buf.getBytes(buf.readerIndex(), out, buf.readableBytes());
            }
            in.remove();
        }
        out.flush();
    }

    /** The reader thread: blocking reads, results handed to the event loop in order. */
    private void readLoop() {
        byte[] chunk = new byte[CHUNK];
        try {
            while (awaitReadRequest()) {
                int n = streams.input().read(chunk);
                if (n < 0) {
                    onLoop(this::closeAtEof);
                    return;
                }
                ByteBuf buf = alloc().heapBuffer(n).writeBytes(chunk, 0, n);
                if (!onLoop(() -> deliver(buf))) {
                    buf.release();
                    return;
                }
            }
        } catch (IOException e) {
            if (open) {
                onLoop(() -> failRead(e));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean onLoop(Runnable task) {
        try {
            eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("event loop of {} is shut down, reader stops", address);
            return false;
        }
    }

    private boolean awaitReadRequest() throws InterruptedException {
        if (!config.isAutoRead()) {
            readPermits.acquire();
            readRequested.set(false);
        }
        return open;
    }

    private void deliver(ByteBuf buf) {
        if (!open) {
            buf.release();
            return;
        }
        pipeline().fireChannelRead(buf);
        pipeline().fireChannelReadComplete();
    }

    private void closeAtEof() {
        LOG.debug("EOF on {}", address);
        unsafe().close(voidPromise());
    }

    private void failRead(IOException e) {
        pipeline().fireExceptionCaught(e);
        unsafe().close(voidPromise());
    }
}
