package io.vcpubal.host.backend.qmp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import io.vcpubal.host.backend.VcpuThread;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A synchronous QMP client on QEMU's Unix socket ({@code -qmp unix:PATH,server=on,wait=off}).
 *
 * <p>QMP sends one JSON object per line: a greeting, then one answer per command, with asynchronous
 * {@code {"event": ...}} objects interleaved, which this client skips. Each call has a deadline; a call
 * that misses it closes the connection (QMP has no way to cancel), so a hung QEMU cannot hang the host
 * plugin. Not thread-safe: one client per VM, used from one thread at a time.
 */
public final class QmpClient implements AutoCloseable {
    /** QMP answers are small; a longer line means something is wrong with the peer. */
    private static final int MAX_LINE_CHARS = 1 << 20;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmp-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;
    private final Duration timeout;
    private final SocketChannel channel;
    private final BufferedReader in;

    private QmpClient(Path socket, Duration timeout, SocketChannel channel) {
        this.socket = socket;
        this.timeout = timeout;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    /** Connects, reads the greeting and enters command mode ({@code qmp_capabilities}). */
    public static QmpClient connect(Path socket, Duration timeout) throws QmpException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new QmpException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), null, e);
        }
        QmpClient c = new QmpClient(socket, timeout, ch);
        try {
            JsonObject greeting = c.withDeadline(c::readObject);
            if (!greeting.has("QMP")) {
                throw new QmpException(socket + " is not a QMP socket: first message " + greeting);
            }
            c.execute("qmp_capabilities", null);
            return c;
        } catch (QmpException e) {
            c.close();
            throw e;
        }
    }

    /** Runs {@code command} with {@code arguments} (may be null) and returns its "return" value. */
    public JsonElement execute(String command, JsonObject arguments) throws QmpException {
        JsonObject req = new JsonObject();
        req.addProperty("execute", command);
        if (arguments != null) {
            req.add("arguments", arguments);
        }
        return withDeadline(() -> {
            write(req.toString());
            while (true) {
                JsonObject answer = readObject();
                if (answer.has("event")) {
                    continue;
                }
                if (answer.has("error")) {
                    JsonObject err = answer.getAsJsonObject("error");
                    String cls = err.has("class") ? err.get("class").getAsString() : "GenericError";
                    String desc = err.has("desc") ? err.get("desc").getAsString() : err.toString();
                    throw new QmpException("QMP " + command + " on " + socket + " failed: " + cls + ": " + desc,
                            cls, null);
                }
                if (answer.has("return")) {
                    return answer.get("return");
                }
                throw new QmpException("unexpected QMP answer to " + command + ": " + answer);
            }
        });
    }

    /** The vCPU threads of the VM, by CPU index ({@code query-cpus-fast}: works with KVM and TCG). */
    public List<VcpuThread> queryVcpuThreads() throws QmpException {
        JsonElement ret = execute("query-cpus-fast", null);
        if (!ret.isJsonArray()) {
            throw new QmpException("query-cpus-fast returned " + ret);
        }
        List<VcpuThread> out = new ArrayList<>();
        try {
            for (JsonElement e : (JsonArray) ret) {
                JsonObject o = e.getAsJsonObject();
                out.add(new VcpuThread(o.get("cpu-index").getAsInt(), o.get("thread-id").getAsInt()));
            }
        } catch (RuntimeException e) {
            throw new QmpException("malformed query-cpus-fast answer: " + ret, null, e);
        }
        out.sort(Comparator.comparingInt(VcpuThread::cpuIndex));
        return out;
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T withDeadline(Call<T> call) throws QmpException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> guard = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return call.run();
        } catch (QmpException e) {
            throw e;
        } catch (IOException e) {
            String why = timedOut.get() ? "no answer within " + timeout.toMillis() + " ms" : e.getMessage();
            throw new QmpException("QMP on " + socket + ": " + why, null, e);
        } finally {
            guard.cancel(false);
        }
    }

    private void write(String line) throws IOException {
        var buf = StandardCharsets.UTF_8.encode(line + "\n");
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private JsonObject readObject() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP connection closed by QEMU");
        }
        if (line.length() > MAX_LINE_CHARS) {
            throw new IOException("QMP line longer than " + MAX_LINE_CHARS + " characters");
        }
        try {
            return JsonParser.parseString(line).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException("malformed QMP line: " + line, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
