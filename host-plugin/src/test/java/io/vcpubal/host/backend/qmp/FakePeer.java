package io.vcpubal.host.backend.qmp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Unix socket server that misbehaves as a test scripts it: QEMU cannot be made to send garbage or to
 * accept and stay silent on demand. It accepts one connection, runs the script, then reads until the
 * client hangs up, so the client sees no EOF it did not cause.
 */
final class FakePeer implements AutoCloseable {
    interface Script {
        void run(SocketChannel client) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile SocketChannel client;

    private FakePeer(ServerSocketChannel server, Script script) {
        this.server = server;
        this.thread = new Thread(() -> serve(script), "fake-qmp-peer");
        thread.setDaemon(true);
    }

    /** Bound and listening with {@code backlog}, never accepting. */
    static FakePeer listening(Path path, int backlog) throws IOException {
        return new FakePeer(bind(path, backlog), null);
    }

    /** Accepts one connection and runs {@code script} on it. */
    static FakePeer serving(Path path, Script script) throws IOException {
        FakePeer peer = new FakePeer(bind(path, 0), script);
        peer.thread.start();
        return peer;
    }

    static void send(SocketChannel c, String text) throws IOException {
        ByteBuffer b = StandardCharsets.UTF_8.encode(text);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static ServerSocketChannel bind(Path path, int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path), backlog);
        return s;
    }

    private void serve(Script script) {
        try (SocketChannel c = server.accept()) {
            client = c;
            script.run(c);
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (c.read(sink) >= 0) {
                sink.clear();
            }
        } catch (IOException ignored) {
            // the client hung up or the test closed us: either ends the script
        }
    }

    /** Waits for the script to end (it ends when the client hangs up). */
    void awaitScript() throws InterruptedException {
        thread.join(10_000);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        thread.join(5_000);
    }
}
