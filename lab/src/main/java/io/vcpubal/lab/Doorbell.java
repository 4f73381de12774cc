package io.vcpubal.lab;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Host side of the runner's doorbell: one byte per submitted command wakes the guest's runner at once,
 * so it need not poll the share (9p requests are costly under TCG). Best effort by design: if ringing
 * fails, the runner still scans on its own every few seconds.
 */
final class Doorbell implements AutoCloseable {
    private static final byte[] RING = {'\n'};

    private final Path socket;
    private SocketChannel channel;

    Doorbell(Path socket) {
        this.socket = socket;
    }

    /** Connects if not connected yet; QEMU serves one client per socket, and we are it. */
    synchronized void connect() {
        if (channel != null) {
            return;
        }
        try {
            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            // never block a caller: a full buffer means the runner has plenty of wake-ups pending
            c.configureBlocking(false);
            channel = c;
        } catch (IOException e) {
            // not there yet (QEMU starting) or gone (QEMU stopped): the runner's own scan covers it
        }
    }

    synchronized void ring() {
        connect();
        if (channel == null) {
            return;
        }
        try {
            channel.write(ByteBuffer.wrap(RING));
        } catch (IOException e) {
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            channel = null;
        }
    }
}
