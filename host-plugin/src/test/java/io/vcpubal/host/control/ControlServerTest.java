package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.accounting.TopViews;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket over real Unix sockets, with the test's own user as the daemon's. */
class ControlServerTest {
    @TempDir
    Path dir;

    final RecordingHandler handler = new RecordingHandler();

    Path sock() {
        return dir.resolve("run/host.sock");
    }

    @Test
    void servesBothOpsOnASocketThatAppearsAsMode0600() throws Exception {
        try (ControlServer server = new ControlServer(sock(), null, handler)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock())));
            assertEquals(0, ControlClient.request(sock(), op("status")).getAsJsonArray("vms").size());
            JsonObject w = op("set-weight");
            w.addProperty("vm", "web");
            w.addProperty("weight", 512);
            assertTrue(ControlClient.request(sock(), w).get("ok").getAsBoolean());
            assertEquals(List.of("web=512"), handler.weights);
            assertEquals(List.of("host.sock", "host.sock.lock"), names(sock().getParent()), "no private dir left");
        }
    }

    @Test
    void topComesBackAsTheRowsTheDaemonHad() throws Exception {
        try (ControlServer server = new ControlServer(sock(), null, handler)) {
            JsonObject answer = ControlClient.request(sock(), op("top"));
            assertEquals(TopViews.overcommitted(), new Gson().fromJson(answer.get("top"), TopView.class));
        }
    }

    @Test
    void aReadOnlyGroupMakesTheSocket0660WithThatGroup() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root may give the socket any group");
        try (ControlServer server = new ControlServer(sock(), "daemon", handler)) {
            PosixFileAttributes a = Files.readAttributes(sock(), PosixFileAttributes.class);
            assertEquals("rw-rw----", PosixFilePermissions.toString(a.permissions()));
            assertEquals("daemon", a.group().getName());
        }
    }

    @Test
    void anUnknownReadOnlyGroupFailsBeforeAnythingIsCreated() {
        IOException e = assertThrows(IOException.class, () -> new ControlServer(sock(), "no-such-group-vcpubal", handler));
        assertEquals("read-only group 'no-such-group-vcpubal' of the control socket does not exist", e.getMessage());
        assertFalse(Files.exists(sock().getParent()));
    }

    @Test
    void aSecondClientIsAnsweredWhileTheFirstSitsSilent() throws Exception {
        // A timeout far beyond the client's: served one after the other, the second request would fail.
        try (ControlServer server = new ControlServer(sock(), null, handler, Duration.ofSeconds(60));
             SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            long start = System.nanoTime();
            assertTrue(ControlClient.request(sock(), op("status"), Duration.ofSeconds(5)).get("ok").getAsBoolean());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertTrue(silent.isConnected());
        }
    }

    @Test
    void silentClientsBeyondTheBoundOnlyDelayOthersUntilTheirTimeout() throws Exception {
        List<SocketChannel> silent = new ArrayList<>();
        try (ControlServer server = new ControlServer(sock(), null, handler, Duration.ofMillis(300))) {
            for (int i = 0; i < ControlServer.MAX_CONNECTIONS + 2; i++) {
                silent.add(SocketChannel.open(UnixDomainSocketAddress.of(sock())));
            }
            assertTrue(ControlClient.request(sock(), op("status"), Duration.ofSeconds(5)).get("ok").getAsBoolean());
        } finally {
            for (SocketChannel c : silent) {
                c.close();
            }
        }
    }

    @Test
    void aSilentClientIsHungUpOnAfterTheTimeout() throws Exception {
        try (ControlServer server = new ControlServer(sock(), null, handler, Duration.ofMillis(200));
             SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            assertEquals(-1, c.read(ByteBuffer.allocate(64)), "closed without an answer");
        }
    }

    @Test
    void aClientSendingForeverIsRefusedAtTheBound() throws Exception {
        try (ControlServer server = new ControlServer(sock(), null, handler);
             SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                long n = 0;
                ByteBuffer junk = ByteBuffer.wrap("x".repeat(1024).getBytes(StandardCharsets.US_ASCII));
                try {
                    while (true) {
                        n += c.write(junk.rewind());
                    }
                } catch (IOException closedByServer) {
                    return n;
                }
            });
            assertEquals("{\"ok\":false,\"error\":\"request longer than 4096 bytes\"}", readLine(c));
            assertTrue(sent.get(10, TimeUnit.SECONDS) >= ControlServer.MAX_REQUEST_BYTES, "writes fail once refused");
        }
    }

    @Test
    void aRequestOfExactlyTheBoundIsServed() throws Exception {
        String head = "{\"op\":\"status\",\"pad\":\"";
        String request = head + "p".repeat(ControlServer.MAX_REQUEST_BYTES - head.length() - 2) + "\"}";
        assertEquals(ControlServer.MAX_REQUEST_BYTES, request.length());
        try (ControlServer server = new ControlServer(sock(), null, handler);
             SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            c.write(StandardCharsets.UTF_8.encode(request + "\n"));
            assertEquals("{\"vms\":[],\"ok\":true}", readLine(c));
        }
    }

    @Test
    void aSecondDaemonOnTheSamePathFailsAndLeavesTheFirstOnesSocket() throws Exception {
        try (ControlServer first = new ControlServer(sock(), null, handler)) {
            IOException e = assertThrows(IOException.class, () -> new ControlServer(sock(), null, new RecordingHandler()));
            Path abs = sock().toAbsolutePath();
            assertEquals("another vcpubal-host daemon is running on " + sock() + " (lock " + abs + ".lock held)",
                    e.getMessage());
            assertTrue(ControlClient.request(sock(), op("status")).get("ok").getAsBoolean(), "the first still answers");
        }
    }

    @Test
    void aStaleSocketWithoutLockHolderIsReplaced() throws Exception {
        Files.createDirectories(sock().getParent());
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(sock()));
        }
        Files.writeString(DaemonLock.lockFileOf(sock()), "4242\n");
        assertThrows(IOException.class, () -> SocketChannel.open(UnixDomainSocketAddress.of(sock())), "stale");
        try (ControlServer server = new ControlServer(sock(), null, handler)) {
            assertTrue(ControlClient.request(sock(), op("status")).get("ok").getAsBoolean());
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(DaemonLock.lockFileOf(sock())));
        }
    }

    @Test
    void closingRemovesTheSocketAndFreesThePathForTheNextDaemon() throws Exception {
        new ControlServer(sock(), null, handler).close();
        assertFalse(Files.exists(sock()));
        try (ControlServer next = new ControlServer(sock(), null, handler)) {
            assertTrue(ControlClient.request(sock(), op("status")).get("ok").getAsBoolean());
        }
    }

    static JsonObject op(String op) {
        JsonObject o = new JsonObject();
        o.addProperty("op", op);
        return o;
    }

    static String readLine(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (c.read(buf) >= 0) {
            for (int i = 0; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    return new String(buf.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        throw new IOException("no answer line, got: " + new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
