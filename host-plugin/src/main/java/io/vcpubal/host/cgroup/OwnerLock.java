package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * An exclusive lock on a file, held for the life of the daemon. The kernel drops it when the process dies,
 * even by kill -9, so whoever gets it knows that no live daemon still uses the vcpubal cgroups and may
 * clean up what a dead one left; a second daemon (or a test run next to a live one) leaves them alone.
 */
final class OwnerLock implements AutoCloseable {
    /**
     * Files locked by this JVM. Checked before opening the file at all: closing any channel of a file drops
     * every POSIX lock this process holds on it, so a failed second attempt must not open and close one.
     */
    private static final Set<Path> HELD = new HashSet<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or null while another process (or another owner in this JVM) holds it. */
    static OwnerLock tryAcquire(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.contains(key)) {
                return null;
            }
            Files.createDirectories(key.getParent());
            FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            HELD.add(key);
            return new OwnerLock(key, channel, lock);
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // Closing the channel is what counts; the kernel drops the lock with it.
            }
            HELD.remove(file);
        }
    }
}
