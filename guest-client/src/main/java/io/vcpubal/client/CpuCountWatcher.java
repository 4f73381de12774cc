package io.vcpubal.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * Follows the guest's online CPU count and tells listeners when it changes.
 *
 * <p>Subscribes to the vcpubal agent's notify socket (default {@value #DEFAULT_SOCKET}). When the agent is
 * absent it polls {@link Runtime#availableProcessors()} instead (which follows CPU hotplug on Linux), and
 * goes back to the socket as soon as it appears, so an application behaves the same with or without the
 * agent. One daemon thread; {@link #close()} stops it.
 */
public final class CpuCountWatcher implements AutoCloseable {
    public static final String DEFAULT_SOCKET = "/run/vcpubal/notify.sock";

    private final Path socket;
    private final Duration pollInterval;
    private final IntSupplier fallbackCount;
    private final List<CpuCountListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile CpuState current;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile SocketChannel channel;

    private CpuCountWatcher(Path socket, Duration pollInterval, IntSupplier fallbackCount) {
        this.socket = socket;
        this.pollInterval = pollInterval;
        this.fallbackCount = fallbackCount;
        int n = fallbackCount.getAsInt();
        this.current = new CpuState(n, "");
        this.thread = new Thread(this::run, "vcpubal-cpu-watcher");
        this.thread.setDaemon(true);
    }

    /** Starts a watcher on the default socket, polling every second when the agent is absent. */
    public static CpuCountWatcher start() {
        return start(Path.of(DEFAULT_SOCKET), Duration.ofSeconds(1));
    }

    public static CpuCountWatcher start(Path socket, Duration pollInterval) {
        return start(socket, pollInterval, Runtime.getRuntime()::availableProcessors);
    }

    /** As {@link #start(Path, Duration)} with the fallback count source injectable (for tests). */
    public static CpuCountWatcher start(Path socket, Duration pollInterval, IntSupplier fallbackCount) {
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive: " + pollInterval);
        }
        CpuCountWatcher w = new CpuCountWatcher(socket, pollInterval, fallbackCount);
        w.thread.start();
        return w;
    }

    /** The latest known state (from the agent, or the fallback count with an empty cpulist). */
    public CpuState current() {
        return current;
    }

    /** Whether the state comes from the agent's socket right now. */
    public boolean connectedToAgent() {
        return connected;
    }

    /** Adds a listener; it is called once right away with the current state as both arguments. */
    public void addListener(CpuCountListener listener) {
        listeners.add(listener);
        CpuState now = current;
        listener.onCpuCountChanged(now, now);
    }

    public void removeListener(CpuCountListener listener) {
        listeners.remove(listener);
    }

    private void run() {
        while (!closed) {
            if (Files.exists(socket)) {
                followSocket();
            }
            if (closed) {
                return;
            }
            update(new CpuState(Math.max(1, fallbackCount.getAsInt()), current.cpuList()));
            sleep(pollInterval);
        }
    }

    private void followSocket() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            channel = ch;
            connected = true;
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line;
            while (!closed && (line = in.readLine()) != null) {
                CpuState s = CpuState.parseLine(line);
                if (s != null) {
                    update(s);
                }
            }
        } catch (IOException e) {
            // Agent absent or restarting: fall back to polling until the socket works again.
        } finally {
            connected = false;
            channel = null;
        }
    }

    /** Sends a line to the agent (e.g. a contention report); false when not connected. */
    boolean send(String line) {
        SocketChannel ch = channel;
        if (ch == null) {
            return false;
        }
        try {
            ch.write(StandardCharsets.UTF_8.encode(line + "\n"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void update(CpuState next) {
        CpuState prev = current;
        current = next;
        if (prev.count() != next.count()) {
            for (CpuCountListener l : listeners) {
                l.onCpuCountChanged(prev, next);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
