package io.vcpubal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCountWatcherTest {
    @TempDir
    Path dir;

    @Test
    void followsTheAgentSocketAndFallsBackToPollingWhenItGoes() throws Exception {
        Path sock = dir.resolve("notify.sock");
        AtomicInteger fallback = new AtomicInteger(4);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (CpuCountWatcher w = CpuCountWatcher.start(sock, Duration.ofMillis(20), fallback::get)) {
            w.addListener((prev, now) -> seen.add(now.count()));
            assertEquals(4, w.current().count());

            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(sock));
                try (SocketChannel client = server.accept()) {
                    client.write(StandardCharsets.UTF_8.encode("cpus 2 0-1\nsomething new\n"));
                    await(() -> w.current().count() == 2);
                    assertTrue(w.connectedToAgent());
                    assertEquals("0-1", w.current().cpuList());
                    client.write(StandardCharsets.UTF_8.encode("cpus 3 0-2\n"));
                    await(() -> w.current().count() == 3);
                    // The real count agrees with what the agent said, as it would in a guest.
                    fallback.set(3);
                }
            }
            Files.delete(sock);
            fallback.set(1);
            await(() -> w.current().count() == 1);
            assertFalse(w.connectedToAgent());
            assertEquals(List.of(4, 2, 3, 1), seen);
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
