package io.vcpubal.host.backend.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.VcpuThread;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real QEMU process. */
class QmpClientTest {
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
            QmpException e = assertThrows(QmpException.class, () -> QmpClient.connect(sock, Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("no answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void aMissingSocketSaysSo() {
        QmpException e = assertThrows(QmpException.class,
                () -> QmpClient.connect(dir.resolve("absent.sock"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }
}
