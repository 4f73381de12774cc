package io.vcpubal.host.backend.libvirt;

import io.vcpubal.host.backend.BackendException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to libvirtd that survives libvirtd restarting: when it closes (EOF, keepalive timeout) it is
 * reopened with back-off ({@value #FIRST_RETRY_MS} ms doubling up to {@value #MAX_RETRY_MS} ms), the lifecycle
 * listener is registered again and {@code onConnected} runs (the backend re-lists and re-adopts). While it is
 * down every call fails at once with a {@link BackendException}, so the daemon keeps the VMs' last pins.
 *
 * <p>Events need libvirt's default event loop: it is registered once per JVM and run on a daemon thread.
 * Keepalive ({@value #KEEPALIVE_INTERVAL_S} s, {@value #KEEPALIVE_COUNT} misses) notices a libvirtd that hangs
 * rather than exits.
 */
final class LibvirtConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnection.class);
    static final long FIRST_RETRY_MS = 250;
    static final long MAX_RETRY_MS = 5_000;
    static final int KEEPALIVE_INTERVAL_S = 2;
    static final int KEEPALIVE_COUNT = 3;
    private static boolean eventLoopRunning;

    private final String uri;
    private final LifecycleListener events;
    private final Runnable onConnected;
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "libvirt-connect");
        t.setDaemon(true);
        return t;
    });
    private volatile Connect connect;
    private volatile boolean closed;
    private long retryMs = FIRST_RETRY_MS;
    private boolean everConnected;

    LibvirtConnection(String uri, LifecycleListener events, Runnable onConnected) {
        this.uri = uri;
        this.events = events;
        this.onConnected = onConnected;
    }

    /** Connects in the background (first attempt at once). */
    void start() {
        schedule(0);
    }

    /** The open connection. @throws BackendException while libvirtd is not reachable */
    Connect get() throws BackendException {
        Connect c = connect;
        if (c == null) {
            throw new BackendException("not connected to libvirt at " + uri + " (reconnecting)");
        }
        return c;
    }

    boolean connected() {
        return connect != null;
    }

    String uri() {
        return uri;
    }

    private void schedule(long delayMs) {
        try {
            connector.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void attempt() {
        if (closed || connect != null) {
            return;
        }
        try {
            startEventLoop();
            Connect c = new Connect(uri);
            c.setKeepAlive(KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
            c.registerCloseListener((conn, reason) -> lost(conn, reason.toString()));
            c.addLifecycleListener(events);
            connect = c;
            retryMs = FIRST_RETRY_MS;
            LOG.info("{} libvirt at {} (libvirt {})", everConnected ? "reconnected to" : "connected to", uri,
                    version(c));
            everConnected = true;
            onConnected.run();
        } catch (LibvirtException | RuntimeException | LinkageError e) {
            LOG.warn("cannot connect to libvirt at {}: {}; retrying in {} ms", uri, message(e), retryMs);
            schedule(retryMs);
            retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        }
    }

    /** libvirt's close callback (event-loop thread): drop the connection and reconnect from our own thread. */
    private void lost(Connect c, String reason) {
        if (connect != c || closed) {
            return;
        }
        connect = null;
        LOG.warn("connection to libvirt at {} closed ({}); reconnecting", uri, reason);
        connector.execute(() -> {
            try {
                c.close();
            } catch (LibvirtException | RuntimeException e) {
                LOG.debug("closing the old libvirt connection: {}", message(e));
            }
        });
        schedule(FIRST_RETRY_MS);
    }

    private static synchronized void startEventLoop() throws LibvirtException {
        if (eventLoopRunning) {
            return;
        }
        Library.initEventLoop();
        Thread loop = new Thread(() -> {
            try {
                Library.runEventLoop();
            } catch (LibvirtException | InterruptedException e) {
                LOG.error("libvirt event loop stopped: {}", message(e));
            }
        }, "libvirt-events");
        loop.setDaemon(true);
        loop.start();
        eventLoopRunning = true;
    }

    private static String version(Connect c) {
        try {
            long v = c.getLibVirVersion();
            return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
        } catch (LibvirtException e) {
            return "?";
        }
    }

    static String message(Throwable e) {
        if (e instanceof LibvirtException le && le.getError() != null && le.getError().getMessage() != null) {
            return le.getError().getMessage().trim();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        Connect c = connect;
        connect = null;
        if (c != null) {
            try {
                c.removeLifecycleListener(events);
                c.unregisterCloseListener();
                c.close();
            } catch (LibvirtException | RuntimeException e) {
                LOG.debug("closing the libvirt connection: {}", message(e));
            }
        }
    }
}
