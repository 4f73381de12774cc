package io.vcpubal.lab.fleet;

import io.vcpubal.protocol.codec.FrameFormat;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.GuestFacts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * A guest whose "agent" misbehaves on its port, in one of three ways the host must survive while every other
 * VM goes on as before: {@link Kind#JUNK} (random bytes as fast as the port takes them), {@link Kind#FLOOD}
 * (intact frames, facts claiming a new online set each time, as fast as the port takes them) and
 * {@link Kind#SILENT} (connected, never a byte: no Hello, no answers).
 */
public final class HostileGuest implements AutoCloseable {
    public enum Kind { JUNK, FLOOD, SILENT }

    private final Kind kind;
    private final Thread thread;
    private volatile Socket socket;
    private volatile boolean closed;

    public HostileGuest(String name, Kind kind, int chardevPort, long seed) {
        this.kind = kind;
        this.thread = new Thread(() -> run(chardevPort, seed), "hostile-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public Kind kind() {
        return kind;
    }

    private void run(int port, long seed) {
        Random random = new Random(seed);
        while (!closed) {
            try (Socket s = new Socket()) {
                socket = s;
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                OutputStream out = s.getOutputStream();
                byte[] junk = new byte[16 * 1024];
                long seq = 0;
                while (!closed) {
                    switch (kind) {
                        case JUNK -> {
                            random.nextBytes(junk);
                            out.write(junk);
                        }
                        case FLOOD -> out.write(frame(Envelope.newBuilder().setSeq(++seq).setFacts(GuestFacts.newBuilder()
                                .setPeriodMs(100).setOnlineCpus("0-" + random.nextInt(4096))).build().toByteArray()));
                        case SILENT -> Thread.sleep(1000);
                    }
                }
            } catch (IOException e) {
                try {
                    Thread.sleep(200); // the relay closed us: come back, as a broken agent would
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A frame as {@link FrameFormat} lays it out (written by hand: this guest bypasses the project's encoder). */
    static byte[] frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(payload.length + FrameFormat.OVERHEAD).putInt(FrameFormat.MAGIC)
                .putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
