package io.vcpubal.host.control;

import io.vcpubal.protocol.transport.StagedSocket;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.daemon.VmStatus;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: one JSON request line per connection, one JSON answer line back (see
 * {@link ControlProtocol} for the ops).
 *
 * <ul>
 *   <li>The socket appears with its final mode: 0600, or 0660 with the read-only group when one is
 *       configured ({@link StagedSocket}).</li>
 *   <li>Each request is checked against the peer's credentials ({@link ControlAccess}): root and the
 *       daemon's user may do everything, the read-only group (as primary group) only {@code status} and {@code top}.</li>
 *   <li>A request is at most {@value #MAX_REQUEST_BYTES} bytes and must arrive within the I/O timeout
 *       (default 2 s); the answer must be taken within it too. Up to {@value #MAX_CONNECTIONS} connections
 *       are served at once, so a silent or endless client holds one slot for at most the timeout and never
 *       blocks the others.</li>
 *   <li>One daemon per socket ({@link DaemonLock}): a second server on the same path fails and leaves the
 *       first one's socket alone; a stale socket whose daemon died is replaced.</li>
 * </ul>
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Longest request line, in bytes (so at most as many characters); longer ones are refused unread. */
    static final int MAX_REQUEST_BYTES = 4096;
    static final int MAX_CONNECTIONS = 4;
    static final Duration IO_TIMEOUT = Duration.ofSeconds(2);

    private final Path socket;
    private final Duration ioTimeout;
    private final DaemonLock lock;
    private final ServerSocketChannel server;
    private final ControlProtocol protocol;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final ExecutorService workers;
    private final Thread acceptor;

    public ControlServer(Path socket, HostDaemon daemon) throws IOException {
        this(socket, null, daemon);
    }

    /** @param readOnlyGroup group whose members may ask for status (socket mode 0660); null = none (0600) */
    public ControlServer(Path socket, String readOnlyGroup, HostDaemon daemon) throws IOException {
        this(socket, readOnlyGroup, handlerOf(daemon));
    }

    public ControlServer(Path socket, String readOnlyGroup, ControlHandler handler) throws IOException {
        this(socket, readOnlyGroup, handler, IO_TIMEOUT);
    }

    ControlServer(Path socket, String readOnlyGroup, ControlHandler handler, Duration ioTimeout) throws IOException {
        this.socket = socket;
        this.ioTimeout = ioTimeout;
        UserPrincipalLookupService users = socket.getFileSystem().getUserPrincipalLookupService();
        GroupPrincipal group = readOnlyGroup == null ? null : readOnlyGroup(users, readOnlyGroup);
        // Lock first: until we hold it, the socket at this path may be another daemon's.
        this.lock = DaemonLock.acquire(socket);
        ServerSocketChannel bound = null;
        try (StagedSocket staged = StagedSocket.prepare(socket)) {
            bound = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            bound.bind(UnixDomainSocketAddress.of(staged.bindPath()));
            UserPrincipal self = Files.getOwner(staged.bindPath());
            this.protocol = new ControlProtocol(handler, new ControlAccess(root(users), self, group));
            staged.publish(PosixFilePermissions.fromString(group == null ? "rw-------" : "rw-rw----"), readOnlyGroup);
        } catch (IOException | RuntimeException e) {
            if (bound != null) {
                bound.close();
            }
            lock.close();
            throw e;
        }
        this.server = bound;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(MAX_CONNECTIONS, r -> {
            Thread t = new Thread(r, "control-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "control-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static ControlHandler handlerOf(HostDaemon daemon) {
        return new ControlHandler() {
            @Override
            public List<VmStatus> status() throws Exception {
                return daemon.status();
            }

            @Override
            public io.vcpubal.host.accounting.TopView top(int rows) {
                return daemon.top(rows);
            }

            @Override
            public void setWeight(String vm, int weight) throws Exception {
                daemon.setWeight(vm, weight);
            }

            @Override
            public void addVm(String spec) throws Exception {
                daemon.addVm(io.vcpubal.host.config.VmConfig.parse(spec));
            }

            @Override
            public void removeVm(String vm) throws Exception {
                daemon.removeVm(vm);
            }

            @Override
            public void notify(String vm, String event) {
                daemon.notifyEvent(vm, event);
            }
        };
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                // A slot before accept: past the bound, clients wait in the listen backlog, not in memory.
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                SocketChannel c = server.accept();
                workers.execute(() -> serve(c));
            } catch (IOException | RuntimeException e) {
                slots.release();
                if (server.isOpen()) {
                    LOG.warn("control socket accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            String line;
            try (ChannelDeadline d = ChannelDeadline.arm(c, ioTimeout)) {
                try {
                    line = ControlConnection.readLine(c, MAX_REQUEST_BYTES);
                } catch (ControlConnection.TooLong e) {
                    d.close();
                    answer(c, ControlProtocol.error(e.getMessage()));
                    return;
                } catch (IOException e) {
                    if (d.expired()) {
                        LOG.debug("control client sent no complete request within {}", ioTimeout);
                        return;
                    }
                    throw e;
                }
            }
            if (line != null) {
                answer(c, protocol.answer(line, peerOf(c)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("control connection failed: {}", e.toString());
        } finally {
            slots.release();
        }
    }

    private void answer(SocketChannel c, String answer) throws IOException {
        try (ChannelDeadline d = ChannelDeadline.arm(c, ioTimeout)) {
            ControlConnection.writeLine(c, answer);
        }
    }

    private static UnixDomainPrincipal peerOf(SocketChannel c) throws IOException {
        return c.getOption(ExtendedSocketOptions.SO_PEERCRED);
    }

    private static GroupPrincipal readOnlyGroup(UserPrincipalLookupService users, String name) throws IOException {
        try {
            return users.lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("read-only group '" + name + "' of the control socket does not exist", e);
        }
    }

    private static UserPrincipal root(UserPrincipalLookupService users) throws IOException {
        try {
            return users.lookupPrincipalByName("root");
        } catch (UserPrincipalNotFoundException e) {
            // No passwd entry (minimal containers): the JDK then takes a number as the uid.
            return users.lookupPrincipalByName("0");
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort on shutdown
        }
        acceptor.interrupt();
        workers.shutdownNow();
        try {
            workers.awaitTermination(ioTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.close();
    }
}
