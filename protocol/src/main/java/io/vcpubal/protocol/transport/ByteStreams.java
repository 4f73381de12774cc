package io.vcpubal.protocol.transport;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The two directions of one byte-stream link and what to close to end it.
 *
 * @param input  blocking reads; returns -1 when the peer is gone (a virtio port without a host client)
 * @param output blocking writes
 * @param closer closes both directions (for a device: its single file descriptor)
 * @param name   for logs and as the channel's address
 */
public record ByteStreams(InputStream input, OutputStream output, Closeable closer, String name) {

    /** Checks that no part is null. */
    public ByteStreams {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(closer, "closer");
        Objects.requireNonNull(name, "name");
    }

    /**
     * Opens a character device (or FIFO) once for reading and writing and shares that one descriptor between
     * both streams: a virtio-serial port refuses a second open with EBUSY. {@code FileChannel} is avoided on
     * purpose: its writes wait behind a read blocked on the same channel.
     *
     * @throws NoSuchFileException if {@code device} does not exist (mode "rw" would otherwise create a file)
     * @throws IOException         if it is a regular file or cannot be opened, e.g. EBUSY
     */
    public static ByteStreams openDevice(Path device) throws IOException {
        if (!Files.exists(device)) {
            throw new NoSuchFileException(device.toString());
        }
        if (Files.isRegularFile(device)) {
            throw new IOException(device + " is a regular file, not a character device");
        }
        RandomAccessFile file = new RandomAccessFile(device.toFile(), "rw");
        FileDescriptor fd = file.getFD();
        return new ByteStreams(new FileInputStream(fd), new FileOutputStream(fd), file, device.toString());
    }
}
