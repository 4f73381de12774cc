package io.vcpubal.host.backend.qmp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.vcpubal.host.backend.VcpuThread;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A synchronous QMP client on QEMU's Unix socket ({@code -qmp unix:PATH,server=on,wait=off}).
 *
 * <p>QMP sends one JSON object per line: a greeting, then one answer per command, with asynchronous
 * {@code {"event": ...}} objects interleaved, which this client skips. Every call has a deadline, connect
 * included, and every wait is a poll(2) bounded by it, so a hung QEMU costs its own VM a timeout and
 * nothing else. A call that fails on the transport (timeout, overlong line, closed connection) closes the
 * client: QMP cannot cancel, and a late answer would be read as the next call's. An {@code error} answer
 * leaves it open. QEMU serves one client per monitor, so callers should connect, run a command or two and
 * close. Not thread-safe.
 */
public final class QmpClient implements AutoCloseable {
    /**
     * Longest line accepted, in bytes. query-cpus-fast spends about 200 bytes per vCPU, so QEMU's 4096-vCPU
     * maximum stays under 1 MiB; 4 MiB leaves room and still bounds what a broken peer can make us hold.
     */
    static final int MAX_LINE_BYTES = 4 << 20;
    private static final int QUOTE_CHARS = 200;

    private final Path socket;
    private final Duration timeout;
    private final UnixSocket channel;
    private final BoundedLineReader lines = new BoundedLineReader(MAX_LINE_BYTES);
    private boolean closed;
    /** The id of the last command sent; answers carry it back. */
    private long lastId;

    private QmpClient(Path socket, Duration timeout, UnixSocket channel) {
        this.socket = socket;
        this.timeout = timeout;
        this.channel = channel;
    }

    /** Connects, reads the greeting and enters command mode ({@code qmp_capabilities}), all within {@code timeout}. */
    public static QmpClient connect(Path socket, Duration timeout) throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        UnixSocket ch;
        try {
            ch = UnixSocket.connect(socket, deadline);
        } catch (SocketTimeoutException e) {
            throw new QmpException("cannot connect to QMP socket " + socket + ": not accepting connections within "
                    + timeout.toMillis() + " ms (listen backlog full: QEMU hung?)", null, e);
        } catch (IOException e) {
            throw new QmpException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), null, e);
        }
        QmpClient c = new QmpClient(socket, timeout, ch);
        try {
            String first = c.readLine(deadline, "waiting for the greeting");
            JsonObject greeting = parseObject(first);
            if (greeting == null || !greeting.has("QMP")) {
                throw new QmpException(socket + " is not a QMP socket: first message " + quote(first));
            }
            c.execute("qmp_capabilities", null, deadline);
            return c;
        } catch (QmpException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The pid of the process that listens on the QMP socket (SO_PEERCRED, taken at connect): QEMU itself,
     * unless a supervisor created the socket and handed it over. 0 when the kernel cannot tell (another
     * pid namespace): trust nothing then.
     */
    public int peerPid() {
        return channel.peerPid();
    }

    /** Runs {@code command} with {@code arguments} (may be null) and returns its "return" value. */
    public JsonElement execute(String command, JsonObject arguments) throws QmpException {
        return execute(command, arguments, System.nanoTime() + timeout.toNanos());
    }

    /** The vCPU threads of the VM, by CPU index ({@code query-cpus-fast}: works with KVM and TCG). */
    public List<VcpuThread> queryVcpuThreads() throws QmpException {
        JsonElement ret = execute("query-cpus-fast", null);
        if (!ret.isJsonArray()) {
            throw new QmpException("query-cpus-fast on " + socket + " returned " + quote(ret.toString()));
        }
        List<VcpuThread> out = new ArrayList<>();
        try {
            for (JsonElement e : (JsonArray) ret) {
                JsonObject o = e.getAsJsonObject();
                out.add(new VcpuThread(o.get("cpu-index").getAsInt(), o.get("thread-id").getAsInt()));
            }
        } catch (RuntimeException e) {
            throw new QmpException("malformed query-cpus-fast answer on " + socket + ": " + quote(ret.toString()),
                    null, e);
        }
        out.sort(Comparator.comparingInt(VcpuThread::cpuIndex));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        channel.close();
    }

    private JsonElement execute(String command, JsonObject arguments, long deadline) throws QmpException {
        String doing = "running " + command;
        if (closed) {
            throw new QmpException("QMP socket " + socket + ", " + doing + ": connection closed by an earlier failure");
        }
        JsonObject req = new JsonObject();
        req.addProperty("execute", command);
        // QEMU echoes the id: an answer meant for an earlier command (one that timed out, or a repeat QEMU
        // sent while it was being stopped and continued) is skipped, never taken as this command's
        long id = ++lastId;
        req.addProperty("id", id);
        if (arguments != null) {
            req.add("arguments", arguments);
        }
        try {
            channel.write((req + "\n").getBytes(StandardCharsets.UTF_8), deadline);
        } catch (IOException e) {
            throw broken(doing, e);
        }
        while (true) {
            String line = readLine(deadline, doing);
            JsonObject answer = parseObject(line);
            if (answer == null) {
                throw broken(doing, new IOException("malformed QMP line " + quote(line)));
            }
            if (answer.has("event") || answer.has("id") && !isId(answer.get("id"), id)) {
                continue;
            }
            if (answer.has("error")) {
                throw errorAnswer(command, answer);
            }
            if (answer.has("return")) {
                return answer.get("return");
            }
            throw broken(doing, new IOException("unexpected QMP answer " + quote(line)));
        }
    }

    private static boolean isId(JsonElement e, long id) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsLong() == id;
    }

    private QmpException errorAnswer(String command, JsonObject answer) {
        JsonElement e = answer.get("error");
        JsonObject err = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
        String cls = text(err, "class", "GenericError");
        String desc = text(err, "desc", quote(e.toString()));
        return new QmpException("QMP " + command + " on " + socket + " failed: " + cls + ": " + desc, cls, null);
    }

    private static String text(JsonObject o, String key, String otherwise) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : otherwise;
    }

    private String readLine(long deadline, String doing) throws QmpException {
        try {
            return lines.readLine((b, off, len) -> channel.read(b, off, len, deadline));
        } catch (IOException e) {
            throw broken(doing, e);
        }
    }

    /** Closes the client (the stream's position is lost) and names the socket, the step and the cause. */
    private QmpException broken(String doing, IOException e) {
        close();
        String why;
        if (e instanceof SocketTimeoutException) {
            why = "no answer within " + timeout.toMillis() + " ms";
            if (doing.equals("waiting for the greeting")) {
                why += " (QEMU hung, or another client holds this monitor)";
            }
        } else {
            why = e.getMessage();
        }
        return new QmpException("QMP socket " + socket + ", " + doing + ": " + why, null, e);
    }

    /** The line as a JSON object, or null if it is not one. */
    private static JsonObject parseObject(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    /** Peer text in a message, cut: a line may be megabytes long. */
    private static String quote(String s) {
        return s.length() <= QUOTE_CHARS ? s : s.substring(0, QUOTE_CHARS) + "... (" + s.length() + " chars)";
    }
}
