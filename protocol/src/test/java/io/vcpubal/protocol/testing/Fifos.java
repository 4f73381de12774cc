package io.vcpubal.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.protocol.transport.ByteStreams;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Named pipes standing in for a virtio-serial port in tests. */
public final class Fifos {
    private Fifos() {
    }

    /** Creates a FIFO with mkfifo(1). */
    public static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo " + path);
        return path;
    }

    /**
     * Reads {@code in} and writes {@code out}. Both are opened read-write, which never blocks on a FIFO (a
     * read-only open would wait for a writer), the same way the device is opened.
     */
    public static ByteStreams pair(Path in, Path out) throws IOException {
        RandomAccessFile reading = new RandomAccessFile(in.toFile(), "rw");
        RandomAccessFile writing = new RandomAccessFile(out.toFile(), "rw");
        return new ByteStreams(new FileInputStream(reading.getFD()), new FileOutputStream(writing.getFD()), () -> {
            reading.close();
            writing.close();
        }, in.getFileName() + ">" + out.getFileName());
    }
}
