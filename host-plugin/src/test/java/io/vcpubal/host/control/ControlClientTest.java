package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against fake daemons that misbehave. */
class ControlClientTest {
    @TempDir
    Path dir;

    @Test
    void aDaemonThatNeverAnswersIsReportedAfterTheDeadline() throws Exception {
        Path sock = dir.resolve("host.sock");
        try (ServerSocketChannel stuck = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stuck.bind(UnixDomainSocketAddress.of(sock));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.request(sock, ControlServerTest.op("status"), Duration.ofMillis(200)));
            assertEquals("the vcpubal-host daemon at " + sock + " did not answer within 0.2 s (is it stuck? see its log)",
                    e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void noSocketSaysHowToStartTheDaemon() {
        IOException e = assertThrows(IOException.class,
                () -> ControlClient.request(dir.resolve("none.sock"), ControlServerTest.op("status")));
        assertTrue(e.getMessage().startsWith("no vcpubal-host daemon at "), e.getMessage());
    }

    @Test
    void aRefusalBecomesTheExceptionsMessage() throws Exception {
        assertEquals("nope", answeredWith("{\"ok\":false,\"error\":\"nope\"}").getMessage());
    }

    @Test
    void anAnswerWithoutOkIsReportedAsIs() throws Exception {
        assertEquals("unexpected answer from the daemon at " + dir.resolve("fake.sock") + ": [1]",
                answeredWith("[1]").getMessage());
    }

    /** The client's failure against a daemon that answers every request with {@code line}. */
    private IOException answeredWith(String line) throws Exception {
        Path sock = dir.resolve("fake.sock");
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<Void> daemon = CompletableFuture.runAsync(() -> {
                try (SocketChannel c = fake.accept()) {
                    ControlServerTest.readLine(c);
                    c.write(StandardCharsets.UTF_8.encode(line + "\n"));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.request(sock, ControlServerTest.op("status"), Duration.ofSeconds(5)));
            daemon.get(5, TimeUnit.SECONDS);
            return e;
        }
    }
}
