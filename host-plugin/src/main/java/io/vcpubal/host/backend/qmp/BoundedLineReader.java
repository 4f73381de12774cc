package io.vcpubal.host.backend.qmp;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into '\n'-terminated UTF-8 lines (QMP's framing). A line longer than the bound is
 * refused once the bound is reached: never more than {@code maxBytes + 1} bytes are buffered, whatever
 * the peer sends. Bytes after a line stay buffered for the next call.
 */
final class BoundedLineReader {
    /** Where the bytes come from: like InputStream.read, -1 at the end of the stream. */
    interface Source {
        int read(byte[] b, int off, int len) throws IOException;
    }

    private final int maxBytes;
    private byte[] buf;
    private int start; // unread bytes are buf[start, end)
    private int end;

    BoundedLineReader(int maxBytes) {
        this.maxBytes = maxBytes;
        this.buf = new byte[Math.min(8192, maxBytes + 1)];
    }

    /** The next line without its '\n' (a trailing '\r' is kept: JSON ignores it). */
    String readLine(Source in) throws IOException {
        int scanned = start;
        while (true) {
            for (int i = scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    String line = new String(buf, start, i - start, StandardCharsets.UTF_8);
                    start = i + 1;
                    return line;
                }
            }
            scanned = end;
            if (end - start > maxBytes) {
                throw new IOException("line longer than " + maxBytes + " bytes");
            }
            makeRoom();
            int n = in.read(buf, end, Math.min(buf.length - end, maxBytes + 1 - (end - start)));
            if (n < 0) {
                throw new EOFException(end == start ? "connection closed" : "connection closed mid-line");
            }
            end += n;
        }
    }

    /** Moves pending bytes to the front, then grows the buffer, never past one line and its '\n'. */
    private void makeRoom() {
        if (end < buf.length) {
            return;
        }
        int pending = end - start;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, pending);
        } else {
            byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, maxBytes + 1L)];
            System.arraycopy(buf, 0, bigger, 0, pending);
            buf = bigger;
        }
        start = 0;
        end = pending;
    }
}
