package io.vcpubal.host.backend.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.VcpuThread;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real QEMU process where QEMU can show it (thread ids, pids, errors, a stopped QEMU, a busy
 * monitor), against {@link FakePeer} where QEMU cannot misbehave on demand. Timing bounds are loose
 * (3x the deadline): they catch a call that waits forever or for the wrong deadline, not jitter.
 */
class QmpClientTest {
    private static final String GREETING = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n";

    @TempDir
    Path dir;

    @Test
    void findsEachVcpuThreadOfARealQemuAndPinsIt() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 2);
             QmpClient qmp = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
            List<VcpuThread> threads = qmp.queryVcpuThreads();
            assertEquals(List.of(0, 1), threads.stream().map(VcpuThread::cpuIndex).toList());
            assertNotEquals(threads.get(0).threadId(), threads.get(1).threadId());
            for (VcpuThread t : threads) {
                assertTrue(Files.isDirectory(Path.of("/proc", Long.toString(qemu.process.pid()), "task",
                        Integer.toString(t.threadId()))), "thread " + t + " belongs to the QEMU process");
            }
            BitSet cpu0 = new BitSet();
            cpu0.set(0);
            LinuxAffinity.set(threads.get(1).threadId(), cpu0);
            assertEquals(cpu0, LinuxAffinity.get(threads.get(1).threadId()));
        }
    }

    @Test
    void anErrorAnswerNamesTheQmpErrorClass() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 1);
             QmpClient qmp = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
            QmpException e = assertThrows(QmpException.class, () -> qmp.execute("no-such-command", null));
            assertEquals("CommandNotFound", e.errorClass());
            // The connection survives an error answer.
            assertEquals(1, qmp.queryVcpuThreads().size());
        }
    }

    @Test
    void aSocketThatIsNotQmpIsNamedInTheError() throws Exception {
        Path sock = dir.resolve("not-qmp.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    c.write(StandardCharsets.UTF_8.encode("{\"hello\": 1}\n"));
                    Thread.sleep(2000);
                } catch (Exception ignored) {
                    // test peer
                }
            });
            t.start();
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("is not a QMP socket"), e.getMessage());
            t.join();
        }
    }

    @Test
    void aSilentPeerTimesOut() throws Exception {
        Path sock = dir.resolve("silent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            QmpException e = failsWithin(1500, () -> QmpClient.connect(sock, Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("no answer within 500 ms"), e.getMessage());
        }
    }

    @Test
    void peerPidIsTheRealQemuProcessAndOwnsTheVcpuThreads() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 2);
             QmpClient qmp = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
            assertEquals(qemu.process.pid(), qmp.peerPid());
            for (VcpuThread t : qmp.queryVcpuThreads()) {
                assertTrue(Files.isDirectory(Path.of("/proc", Integer.toString(qmp.peerPid()), "task",
                        Integer.toString(t.threadId()))), "thread " + t);
            }
        }
    }

    @Test
    void aPeerThatAcceptsButNeverGreetsTimesOutInTime() throws Exception {
        Path sock = dir.resolve("mute.sock");
        try (FakePeer peer = FakePeer.serving(sock, c -> { })) {
            QmpException e = failsWithin(1500, () -> QmpClient.connect(sock, Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("waiting for the greeting: no answer within 500 ms"), e.getMessage());
            assertTrue(e.getMessage().contains(sock.toString()), e.getMessage());
        }
    }

    @Test
    void aFullBacklogTimesOutInConnect() throws Exception {
        Path sock = dir.resolve("full.sock");
        List<SocketChannel> queued = new ArrayList<>();
        try (FakePeer peer = FakePeer.listening(sock, 1)) {
            fillBacklog(sock, queued);
            QmpException e = failsWithin(1500, () -> QmpClient.connect(sock, Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("not accepting connections within 500 ms"), e.getMessage());
        } finally {
            for (SocketChannel c : queued) {
                c.close();
            }
        }
    }

    @Test
    void anEndlessLineIsRefusedAtTheBoundWithoutReadingOn() throws Exception {
        Path sock = dir.resolve("endless.sock");
        long offered = 64L << 20;
        AtomicLong written = new AtomicLong();
        try (FakePeer peer = FakePeer.serving(sock, c -> {
            FakePeer.send(c, GREETING);
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            for (long n = 0; n < offered; n += chunk.length) {
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    written.addAndGet(c.write(b));
                }
            }
        })) {
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(20)));
            assertTrue(e.getMessage().contains("running qmp_capabilities: line longer than 4194304 bytes"),
                    e.getMessage());
            peer.awaitScript();
            // The client hung up at its bound: the peer could not push much past it (socket buffers).
            assertTrue(written.get() < QmpClient.MAX_LINE_BYTES + (8 << 20), "peer wrote " + written.get());
        }
    }

    @Test
    void anAnswerCarryingAnotherCommandsIdIsSkipped() throws Exception {
        Path sock = dir.resolve("ids.sock");
        // qmp_capabilities is id 1, query-cpus-fast id 2: a repeated answer of 1 must not be taken for 2's.
        try (FakePeer peer = FakePeer.serving(sock, c -> FakePeer.send(c, GREETING + "{\"return\": {}, \"id\": 1}\n"
                + "{\"return\": {}, \"id\": 1}\n" + "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 41}], \"id\": 2}\n"));
             QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            assertEquals(List.of(new VcpuThread(0, 41)), qmp.queryVcpuThreads());
        }
    }

    @Test
    void eventsBeforeTheAnswerAreSkipped() throws Exception {
        Path sock = dir.resolve("events.sock");
        String event = "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n";
        // All of it in one write: lines must be split out of one read, and kept for the next call.
        try (FakePeer peer = FakePeer.serving(sock, c -> FakePeer.send(c, GREETING + event + "{\"return\": {}}\n"
                + event + event + "{\"return\": [{\"cpu-index\": 1, \"thread-id\": 42},"
                + " {\"cpu-index\": 0, \"thread-id\": 41}]}\n"));
             QmpClient qmp = QmpClient.connect(sock, Duration.ofSeconds(5))) {
            assertEquals(List.of(new VcpuThread(0, 41), new VcpuThread(1, 42)), qmp.queryVcpuThreads());
            assertEquals(ProcessHandle.current().pid(), qmp.peerPid(), "the fake peer is this JVM");
        }
    }

    @Test
    void aStoppedQemuCostsTheCallATimeoutAndTheMonitorIsFreeAfterClose() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 1)) {
            QmpClient qmp = QmpClient.connect(qemu.qmp, Duration.ofMillis(500));
            try {
                signal("STOP", qemu.process.pid());
                QmpException e = failsWithin(1500, qmp::queryVcpuThreads);
                assertTrue(e.getMessage().contains("running query-cpus-fast: no answer within 500 ms"), e.getMessage());
                QmpException again = assertThrows(QmpException.class, qmp::queryVcpuThreads);
                assertTrue(again.getMessage().contains("closed by an earlier failure"), again.getMessage());
            } finally {
                signal("CONT", qemu.process.pid());
                qmp.close();
            }
            try (QmpClient next = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
                assertEquals(1, next.queryVcpuThreads().size());
            }
        }
    }

    @Test
    void aMonitorHeldByAnotherClientCostsATimeoutNotAHang() throws Exception {
        try (PausedQemu qemu = new PausedQemu(dir, 1)) {
            try (QmpClient holder = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
                QmpException e = failsWithin(1500, () -> QmpClient.connect(qemu.qmp, Duration.ofMillis(500)));
                assertTrue(e.getMessage().contains("another client holds this monitor"), e.getMessage());
                assertEquals(1, holder.queryVcpuThreads().size(), "the holder is not disturbed");
            }
            try (QmpClient next = QmpClient.connect(qemu.qmp, Duration.ofSeconds(10))) {
                assertEquals(1, next.queryVcpuThreads().size());
            }
        }
    }

    @Test
    void aStaleSocketFileSaysConnectionRefused() throws Exception {
        Path sock = dir.resolve("stale.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        server.close(); // leaves the file, as a QEMU that was killed does
        QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("cannot connect to QMP socket " + sock + ": connection refused"),
                e.getMessage());
    }

    @Test
    void aPathTooLongForSockaddrUnIsRefusedClearly() {
        Path sock = dir.resolve("x".repeat(120) + ".sock");
        QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("a Unix socket path holds at most 107"), e.getMessage());
    }

    @Test
    void aGreetingThatIsNotJsonIsNotQmp() throws Exception {
        Path sock = dir.resolve("ssh.sock");
        try (FakePeer peer = FakePeer.serving(sock, c -> FakePeer.send(c, "SSH-2.0-OpenSSH_9.2\r\n"))) {
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("is not a QMP socket: first message SSH-2.0"), e.getMessage());
        }
    }

    /** Asserts that {@code call} throws a QmpException within {@code maxMillis}; a hang fails too. */
    private static QmpException failsWithin(long maxMillis, Executable call) {
        return assertTimeoutPreemptively(Duration.ofMillis(maxMillis), () -> assertThrows(QmpException.class, call));
    }

    /** Connects until the kernel refuses (EAGAIN): the listener's backlog is then full. */
    private static void fillBacklog(Path sock, List<SocketChannel> queued) throws IOException {
        for (int i = 0; i < 64; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.configureBlocking(false);
            try {
                c.connect(UnixDomainSocketAddress.of(sock));
                queued.add(c);
            } catch (IOException full) {
                c.close();
                return;
            }
        }
        throw new AssertionError("backlog never filled after 64 connections");
    }

    private static void signal(String name, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor());
    }

    @Test
    void aMissingSocketSaysSo() {
        QmpException e = assertThrows(QmpException.class,
                () -> QmpClient.connect(dir.resolve("absent.sock"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        assertTrue(e.getMessage().contains("no such file or directory"), e.getMessage());
    }
}
