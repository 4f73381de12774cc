package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChardevTest {
    @TempDir
    Path dir;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void relaysBothWaysAndHoldsWhatTheGuestSaysToNobody() throws Exception {
        try (Chardev c = Chardev.open(dir.resolve("agent.sock"), loop);
             Socket guest = new Socket()) {
            guest.connect(new InetSocketAddress("127.0.0.1", c.guestPort()));
            guest.setSoTimeout(5000);
            guest.getOutputStream().write("held".getBytes(StandardCharsets.US_ASCII)); // no host yet: not read
            Thread.sleep(200);
            try (SocketChannel host = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                host.connect(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!c.hostConnected() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                host.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), readN(guest.getInputStream(), 5));
                guest.getOutputStream().write("facts".getBytes(StandardCharsets.US_ASCII));
                ByteBuffer got = ByteBuffer.allocate(9);
                while (got.hasRemaining()) {
                    host.read(got);
                }
                assertEquals("heldfacts", new String(got.array(), StandardCharsets.US_ASCII),
                        "what waited for a host comes first, nothing lost or doubled");
            }
        }
    }

    private static byte[] readN(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length);
        return b;
    }
}
