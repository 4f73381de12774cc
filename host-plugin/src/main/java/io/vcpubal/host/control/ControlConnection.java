package io.vcpubal.host.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Reads one request line of bounded size from a connection, and writes an answer line. */
final class ControlConnection {
    /** Raised when a request passes the bound; nothing beyond the bound was read. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;

        TooLong(int max) {
            super("request longer than " + max + " bytes", null);
        }
    }

    private ControlConnection() {}

    /**
     * The first line (without its newline), or what came before end of stream; null when nothing came.
     *
     * @throws TooLong as soon as {@code maxBytes} bytes arrived without a newline
     */
    static String readLine(SocketChannel c, int maxBytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(maxBytes + 1);
        int scanned = 0;
        while (true) {
            int n = c.read(buf);
            for (int i = scanned; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    return new String(buf.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
            scanned = buf.position();
            if (n < 0) {
                return scanned == 0 ? null : new String(buf.array(), 0, scanned, StandardCharsets.UTF_8);
            }
            if (!buf.hasRemaining()) {
                throw new TooLong(maxBytes);
            }
        }
    }

    static void writeLine(SocketChannel c, String line) throws IOException {
        ByteBuffer out = StandardCharsets.UTF_8.encode(line + "\n");
        while (out.hasRemaining()) {
            c.write(out);
        }
    }
}
