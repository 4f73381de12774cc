package io.vcpubal.guest.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.client.CpuCountWatcher;
import io.vcpubal.client.CpuState;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyServerTest {
    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void guestClientSeesEveryChangeAndTheSocketIsGroupOnlyFromTheStart() throws Exception {
        Path sock = dir.resolve("run/notify.sock");
        Files.createDirectories(sock.getParent());
        Files.writeString(sock, "stale socket from a crashed agent");
        boolean root = "root".equals(System.getProperty("user.name"));
        try (NotifyServer server = NotifyServer.start(sock, root ? "daemon" : null, loop)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            if (root) {
                assertEquals("daemon", Files.readAttributes(sock, PosixFileAttributes.class).group().getName());
            }
            try (Stream<Path> files = Files.list(sock.getParent())) {
                assertEquals(List.of(sock), files.toList(), "the private bind directory is gone");
            }
            server.publish(new CpuState(4, "0-3"), 1);
            try (CpuCountWatcher w = CpuCountWatcher.start(sock, Duration.ofMillis(50), () -> 99)) {
                await(() -> w.connectedToAgent() && w.current().count() == 4);
                server.publish(new CpuState(2, "0-1"), 2);
                await(() -> w.current().count() == 2);
                assertEquals("0-1", w.current().cpuList());
            }
        }
        assertTrue(Files.notExists(sock), "socket removed on close");
    }

    @Test
    void sumsContentionReportsAndIgnoresGarbage() throws Exception {
        Path sock = dir.resolve("n.sock");
        try (NotifyServer server = NotifyServer.start(sock, null, loop);
             SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            c.write(StandardCharsets.UTF_8.encode(
                    "contention 3 10\nnonsense\ncontention x 1\ncontention -5 1\ncontention 2 5\n"));
            long[] got = new long[2];
            await(() -> {
                long[] d = server.contention().drain();
                got[0] += d[0];
                got[1] += d[1];
                return got[0] == 5;
            });
            assertArrayEquals(new long[] {5, 15}, got);
        }
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
