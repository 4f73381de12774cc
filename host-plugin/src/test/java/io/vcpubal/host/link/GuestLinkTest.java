package io.vcpubal.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.ProtocolVersion;
import io.vcpubal.protocol.transport.ListenerTransport;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's link against scripted guests behind a QEMU-like one-client Unix socket. */
class GuestLinkTest {
    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Envelope> fromHost = new CopyOnWriteArrayList<>();
    private ListenerTransport guest;
    private GuestLink link;

    @AfterEach
    void close() {
        if (link != null) {
            link.close();
        }
        if (guest != null) {
            guest.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A fake guest that answers the host's Hello with {@code hello} and then sends {@code after}. */
    private void fakeGuest(Envelope hello, Envelope... after) {
        listen(hello, after);
        link = new GuestLink("vm0", dir.resolve("agent.sock"), new LinkTicker(loop), l -> { });
    }

    /** The guest side only, on the socket the link dials (a new QEMU or agent on the same path). */
    private void listen(Envelope hello, Envelope... after) {
        guest = ListenerTransport.unix(dir.resolve("agent.sock"), loop, new ProtocolInitializer(
                () -> new SimpleChannelInboundHandler<Envelope>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
                        fromHost.add(msg);
                        if (msg.hasHello()) {
                            ctx.writeAndFlush(hello);
                            for (Envelope e : after) {
                                ctx.writeAndFlush(e);
                            }
                        }
                    }
                }));
        guest.open();
    }

    private static Envelope guestHello(int major) {
        return guestHello(major, "0-1");
    }

    private static Envelope guestHello(int major, String online) {
        return Envelope.newBuilder().setHello(ProtocolVersion.hello(Role.ROLE_GUEST).setProtocolMajor(major)
                .setGuest(GuestInfo.newBuilder().setOnlineCpus(online))).build();
    }

    private static Envelope facts(String online) {
        return Envelope.newBuilder().setFacts(GuestFacts.newBuilder().setOnlineCpus(online)).build();
    }

    @Test
    void aGuestFloodingJunkIsReadAtTheLinksRateAndNoFaster() throws Exception {
        byte[] junk = new byte[64 * 1024];
        java.util.Arrays.fill(junk, (byte) 0x55);
        guest = ListenerTransport.unix(dir.resolve("agent.sock"), loop, new io.netty.channel.ChannelInitializer<>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
                ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        flood(ctx);
                    }

                    private void flood(ChannelHandlerContext ctx) {
                        // Keep the socket full: write again whenever the last write drained.
                        ctx.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(junk)).addListener(f -> {
                            if (f.isSuccess()) {
                                flood(ctx);
                            }
                        });
                    }
                });
            }
        });
        guest.open();
        link = new GuestLink("vm0", dir.resolve("agent.sock"), new LinkTicker(loop), l -> { });
        await(() -> link.counters().snapshot().throttled() >= 2);
        long budget = io.vcpubal.protocol.codec.ReadRateLimiter.DEFAULT_BYTES_PER_SECOND;
        var s = link.counters().snapshot();
        // Two stops mean at least one whole window passed; reads overshoot a budget by at most one read.
        assertTrue(s.bytesReceived() <= 3 * budget + 2 * junk.length, "read " + s.bytesReceived() + " bytes");
        assertTrue(s.droppedBytes() > 0);
    }

    @Test
    void afterAThrottledBurstTheGuestsFramesAreReadAgain() throws Exception {
        byte[] junk = new byte[400 * 1024];
        java.util.Arrays.fill(junk, (byte) 0x55);
        guest = ListenerTransport.unix(dir.resolve("agent.sock"), loop, new ProtocolInitializer(
                () -> new SimpleChannelInboundHandler<Envelope>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
                        if (msg.hasHello()) {
                            ctx.writeAndFlush(guestHello(ProtocolVersion.MAJOR));
                            // junk beyond a second's budget, then a report every 100 ms
                            ctx.channel().pipeline().firstContext().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(junk));
                            ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(facts("0")), 100, 100,
                                    TimeUnit.MILLISECONDS);
                        }
                    }
                }));
        guest.open();
        link = new GuestLink("vm0", dir.resolve("agent.sock"), new LinkTicker(loop), l -> { });
        await(() -> link.counters().snapshot().throttled() >= 1);
        await(() -> link.latestFacts().isPresent());
        assertEquals(AgentState.CONNECTED, link.state());
    }

    @Test
    void factsFromBeforeAReconnectAreDroppedAndTheNewHelloIsTheTruth() throws Exception {
        fakeGuest(guestHello(ProtocolVersion.MAJOR, "0-3"), facts("0"));
        await(() -> link.latestFacts().isPresent());
        assertEquals("0", link.onlineCpus().orElseThrow(), "facts update the online set");

        guest.close(); // the guest's agent (or its QEMU) goes away
        await(() -> link.state() != AgentState.CONNECTED);
        assertTrue(link.latestFacts().isEmpty(), "no facts survive the disconnect");
        assertTrue(link.onlineCpus().isEmpty(), "nor the online set they claimed");

        listen(guestHello(ProtocolVersion.MAJOR, "0-3")); // the new one says hello and nothing else yet
        await(() -> link.state() == AgentState.CONNECTED);
        assertTrue(link.latestFacts().isEmpty(), "the old report is not taken for the new guest's");
        assertEquals("0-3", link.onlineCpus().orElseThrow(), "the new Hello's online set");
    }

    @Test
    void aGuestOfAnotherMajorIsToldSoAndTheLinkIsClosed() throws Exception {
        fakeGuest(guestHello(ProtocolVersion.MAJOR + 1));
        await(() -> link.state() == AgentState.INCOMPATIBLE);
        await(() -> fromHost.stream().anyMatch(Envelope::hasError));
        Error e = fromHost.stream().filter(Envelope::hasError).findFirst().orElseThrow().getError();
        assertEquals(Error.Code.VERSION_MISMATCH, e.getCode());
        assertTrue(e.getMessage().contains("speaks 2." + io.vcpubal.protocol.ProtocolVersion.MINOR + ", this side speaks 1." + io.vcpubal.protocol.ProtocolVersion.MINOR), e.getMessage());
        assertTrue(fromHost.get(0).hasHello(), "the host spoke first");
        assertEquals("vm0", fromHost.get(0).getHello().getVmName());
    }

    @Test
    void factsBeyondTheBoundsAreDroppedAndTheRestKept() throws Exception {
        GuestFacts.Builder tooMany = GuestFacts.newBuilder().setOnlineCpus("0");
        for (int i = 0; i < 100; i++) {
            tooMany.addProcesses(io.vcpubal.protocol.v1.ProcessCpu.newBuilder().setPid(i));
        }
        fakeGuest(guestHello(ProtocolVersion.MAJOR),
                Envelope.newBuilder().setFacts(GuestFacts.newBuilder().setOnlineCpus("0-1")).build(),
                Envelope.newBuilder().setFacts(tooMany).build());
        await(() -> link.droppedMessages() == 1);
        assertEquals(AgentState.CONNECTED, link.state());
        assertEquals("0-1", link.latestFacts().orElseThrow().getOnlineCpus(), "the oversized report was not kept");
    }

    @Test
    void aCommandWithoutAnswerTimesOutAndFailsAlone() throws Exception {
        fakeGuest(guestHello(ProtocolVersion.MAJOR));
        await(() -> link.state() == AgentState.CONNECTED);
        var f = link.setOnlineCount(1, 5_000, Duration.ofMillis(300));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(GuestCommandException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no answer to request 1 within 300 ms"), e.getCause().getMessage());
        assertEquals(AgentState.CONNECTED, link.state());
        assertFalse(link.guestInfo().isEmpty());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
