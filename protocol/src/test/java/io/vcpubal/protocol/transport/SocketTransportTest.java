package io.vcpubal.protocol.transport;

import static io.vcpubal.protocol.testing.TestEnvelopes.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.testing.Await;
import io.vcpubal.protocol.testing.CollectingHandler;
import io.vcpubal.protocol.testing.EchoHandler;
import io.vcpubal.protocol.v1.Envelope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Framed Envelopes over real sockets: TCP on loopback and a Unix domain socket (the host's link to QEMU). */
class SocketTransportTest {
    private static final EchoHandler ECHO = new EchoHandler();
    private static EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static List<Envelope> echo(Transport client, CollectingHandler collected) throws Exception {
        Channel ch = Await.get(client.open());
        List<Envelope> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Envelope e = envelope(i, i % 7 == 0 ? 20_000 : i % 50);
            sent.add(e);
            ch.write(e);
        }
        ch.flush();
        assertEquals(sent, collected.take(sent.size()));
        return sent;
    }

    @Test
    void envelopesRoundTripOverTcpLoopback() throws Exception {
        CollectingHandler collected = new CollectingHandler();
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ListenerTransport server = ListenerTransport.tcp(anyPort, group, new ProtocolInitializer(() -> ECHO));
             SocketTransport client = SocketTransport.tcp((InetSocketAddress) server.localAddress(), group,
                     new ProtocolInitializer(() -> collected))) {
            echo(client, collected);
            assertTrue(collected.errors().isEmpty());
        }
    }

    @Test
    void envelopesRoundTripOverAUnixDomainSocket() throws Exception {
        Path socket = dir.resolve("vm1.sock");
        CollectingHandler collected = new CollectingHandler();
        ProtocolInitializer clientPipeline = new ProtocolInitializer(() -> collected);
        try (ListenerTransport qemu = ListenerTransport.unix(socket, group, new ProtocolInitializer(() -> ECHO));
             SocketTransport host = SocketTransport.unix(socket, group, clientPipeline)) {
            assertEquals(UnixDomainSocketAddress.of(socket), host.address());
            echo(host, collected);
            assertEquals(0, clientPipeline.counters().snapshot().droppedBytes());
        }
        assertFalse(Files.exists(socket), "listener removes its socket file");
    }

    @Test
    void openFailsWhenNoOneListens() throws Exception {
        try (SocketTransport host = SocketTransport.unix(dir.resolve("absent.sock"), group,
                new ProtocolInitializer(CollectingHandler::new))) {
            Future<Channel> f = host.open();
            Await.done(f);
            assertInstanceOf(java.net.SocketException.class, f.cause(), String.valueOf(f.cause()));
        }
    }

    @Test
    void listenerServesOneClientAtATimeLikeQemu() throws Exception {
        Path socket = dir.resolve("one.sock");
        CollectingHandler a = new CollectingHandler();
        CollectingHandler b = new CollectingHandler();
        try (ListenerTransport qemu = ListenerTransport.unix(socket, group, new ProtocolInitializer(() -> ECHO));
             SocketTransport first = SocketTransport.unix(socket, group, new ProtocolInitializer(() -> a));
             SocketTransport second = SocketTransport.unix(socket, group, new ProtocolInitializer(() -> b))) {
            Channel c1 = Await.get(first.open());
            Channel s1 = Await.get(qemu.open());
            c1.writeAndFlush(envelope(1));
            assertEquals(List.of(envelope(1)), a.take(1));

            // like QEMU: the second connect lands in the backlog and waits until the first client leaves
            Channel c2 = Await.get(second.open());
            c2.writeAndFlush(envelope(2));
            Future<Channel> next = qemu.open();
            assertFalse(next.isDone(), "second client must wait");
            assertTrue(s1.isActive(), "first client unaffected");
            c1.writeAndFlush(envelope(11));
            assertEquals(List.of(envelope(11)), a.take(1));
            assertTrue(b.drain().isEmpty(), "nobody served the waiting client");

            c1.close().syncUninterruptibly();
            Channel s2 = Await.get(next);
            assertTrue(s2.isActive());
            assertEquals(List.of(envelope(2)), b.take(1), "what it sent while waiting is served now");
            c2.writeAndFlush(envelope(3));
            assertEquals(List.of(envelope(3)), b.take(1));
        }
    }

    @Test
    void closedTransportRefusesToOpen() throws Exception {
        SocketTransport t = SocketTransport.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), group,
                new ProtocolInitializer(CollectingHandler::new));
        t.close();
        Future<Channel> f = t.open();
        Await.done(f);
        assertInstanceOf(IllegalStateException.class, f.cause());
    }
}
