package io.vcpubal.host.backend.qmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * A connected AF_UNIX stream socket through libc (JNA), every wait bounded by a deadline
 * ({@link System#nanoTime()} based). It exists because java.nio cannot tell the peer's pid
 * (jdk.net's SO_PEERCRED gives only user and group), and the pid is what vCPU thread ids are checked
 * against. Linux, 64-bit only. Not thread-safe.
 */
final class UnixSocket implements AutoCloseable {
    /** sun_path is 108 bytes and needs a terminating NUL. */
    static final int MAX_PATH_BYTES = 107;
    private static final int CHUNK = 64 * 1024;

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_SNDTIMEO = 21;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;
    private static final short POLLNVAL = 0x20;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int connect(int fd, byte[] addr, int len) throws LastErrorException;

        int setsockopt(int fd, int level, int name, long[] value, int len) throws LastErrorException;

        int getsockopt(int fd, int level, int name, int[] value, int[] len) throws LastErrorException;

        int poll(Pointer fds, long nfds, int timeoutMs) throws LastErrorException;

        long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        long send(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        String strerror(int errno);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private int fd;
    private final int peerPid;
    private final Memory io = new Memory(CHUNK);
    private final Memory pollFd = new Memory(8); // struct pollfd { int fd; short events; short revents; }

    private UnixSocket(int fd, int peerPid) {
        this.fd = fd;
        this.peerPid = peerPid;
    }

    /**
     * Connects to the socket file {@code path}. A listener whose backlog is full (its server hung) makes
     * connect wait; that wait ends at the deadline with a {@link SocketTimeoutException}.
     */
    static UnixSocket connect(Path path, long deadline) throws IOException {
        byte[] addr = sockaddrUn(path);
        int fd = call(() -> LIBC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
        try {
            // Blocking connect bounded by SO_SNDTIMEO: the kernel wakes us when the server accepts, where a
            // non-blocking one would return EAGAIN and leave us to sleep and retry.
            while (true) {
                long left = remainingNanos(deadline);
                if (left <= 0) {
                    throw new SocketTimeoutException("connect");
                }
                long micros = Math.max(1, left / 1000); // 0 would mean "no timeout"
                long[] timeval = {micros / 1_000_000, micros % 1_000_000};
                call(() -> LIBC.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, timeval, 16), "setsockopt");
                try {
                    LIBC.connect(fd, addr, addr.length);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EAGAIN) {
                        throw new SocketTimeoutException("connect");
                    }
                    if (e.getErrorCode() != EINTR) {
                        throw new IOException(describe(e.getErrorCode()), e);
                    }
                }
            }
            int[] ucred = new int[3]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            call(() -> LIBC.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, new int[] {12}), "SO_PEERCRED");
            return new UnixSocket(fd, ucred[0]);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /**
     * The pid of the process that called listen(2) on the server socket, as the kernel recorded it at
     * connect; 0 if that process is in a pid namespace this one cannot see.
     */
    int peerPid() {
        return peerPid;
    }

    /** Sends all of {@code data}. */
    void write(byte[] data, long deadline) throws IOException {
        int off = 0;
        while (off < data.length) {
            int n = Math.min(CHUNK, data.length - off);
            io.write(0, data, off, n);
            await(POLLOUT, deadline);
            long sent = retrying(() -> LIBC.send(fd, io, n, MSG_DONTWAIT | MSG_NOSIGNAL), "send");
            off += (int) Math.max(sent, 0);
        }
    }

    /** Reads at most {@code len} bytes into {@code b}; -1 when the peer closed the connection. */
    int read(byte[] b, int off, int len, long deadline) throws IOException {
        while (true) {
            await(POLLIN, deadline);
            long n = retrying(() -> LIBC.recv(fd, io, Math.min(len, CHUNK), MSG_DONTWAIT), "recv");
            if (n == 0) {
                return -1;
            }
            if (n > 0) {
                io.read(0, b, off, (int) n);
                return (int) n;
            }
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            closeQuietly(fd);
            fd = -1;
            io.close();
            pollFd.close();
        }
    }

    /** Waits until {@code events} (or an error or hang-up, which the next call reports) or the deadline. */
    private void await(short events, long deadline) throws IOException {
        if (fd < 0) {
            throw new IOException("socket closed");
        }
        while (true) {
            long left = remainingNanos(deadline);
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            pollFd.setInt(0, fd);
            pollFd.setShort(4, events);
            pollFd.setShort(6, (short) 0);
            int ready = (int) retrying(() -> LIBC.poll(pollFd, 1, (int) Math.min(Integer.MAX_VALUE,
                    (left + 999_999) / 1_000_000)), "poll");
            short revents = pollFd.getShort(6);
            if ((revents & POLLNVAL) != 0) {
                throw new IOException("socket closed");
            }
            if (ready > 0) {
                return;
            }
        }
    }

    private interface Syscall {
        long run() throws LastErrorException;
    }

    /** Runs {@code call}; EINTR and EAGAIN answer -1 (try again), other errors throw. */
    private static long retrying(Syscall call, String name) throws IOException {
        try {
            return call.run();
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == EAGAIN) {
                return -1;
            }
            throw new IOException(name + ": " + describe(e.getErrorCode()), e);
        }
    }

    private static int call(Syscall call, String name) throws IOException {
        try {
            return (int) call.run();
        } catch (LastErrorException e) {
            throw new IOException(name + ": " + describe(e.getErrorCode()), e);
        }
    }

    /** struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }, cut after the NUL. */
    private static byte[] sockaddrUn(Path path) throws IOException {
        // Java turns paths into bytes with sun.jnu.encoding; so must we, to name the same file.
        Charset cs = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        byte[] name = path.toString().getBytes(cs);
        if (name.length > MAX_PATH_BYTES) {
            throw new IOException("path is " + name.length + " bytes, a Unix socket path holds at most "
                    + MAX_PATH_BYTES + " (use a shorter path or a symlinked directory)");
        }
        ByteBuffer addr = ByteBuffer.allocate(2 + name.length + 1).order(ByteOrder.nativeOrder());
        addr.putShort((short) AF_UNIX).put(name).put((byte) 0);
        return addr.array();
    }

    private static void closeQuietly(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // Linux releases the fd even when close(2) reports an error
        }
    }

    private static long remainingNanos(long deadline) {
        return deadline - System.nanoTime();
    }

    /** "connection refused" rather than errno 111. */
    private static String describe(int errno) {
        String text = LIBC.strerror(errno);
        if (text == null || text.isEmpty()) {
            return "errno " + errno;
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
