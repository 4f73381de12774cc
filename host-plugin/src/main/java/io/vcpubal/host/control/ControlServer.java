package io.vcpubal.host.control;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vcpubal.host.daemon.HostDaemon;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket (mode 0600: root only). One JSON request line per connection, one JSON answer
 * line back:
 *
 * <pre>
 * {"op":"status"}                              -> {"ok":true,"vms":[...VmStatus...]}
 * {"op":"set-weight","vm":"web","weight":512}  -> {"ok":true}
 * anything else                                -> {"ok":false,"error":"..."}
 * </pre>
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    static final int MAX_REQUEST_CHARS = 4096;
    static final Gson GSON = new Gson();

    private final Path socket;
    private final HostDaemon daemon;
    private final ServerSocketChannel server;
    private final Thread thread;

    public ControlServer(Path socket, HostDaemon daemon) throws IOException {
        this.socket = socket;
        this.daemon = daemon;
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        thread = new Thread(this::serve, "control");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                String line = in.readLine();
                String answer = line == null ? null : answer(line);
                if (answer != null) {
                    c.write(StandardCharsets.UTF_8.encode(answer + "\n"));
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control connection failed: {}", e.toString());
                }
            }
        }
    }

    String answer(String line) {
        JsonObject out = new JsonObject();
        try {
            if (line.length() > MAX_REQUEST_CHARS) {
                throw new IllegalArgumentException("request longer than " + MAX_REQUEST_CHARS + " characters");
            }
            JsonObject req = JsonParser.parseString(line).getAsJsonObject();
            String op = req.has("op") ? req.get("op").getAsString() : "";
            switch (op) {
                case "status" -> out.add("vms", GSON.toJsonTree(daemon.status()));
                case "set-weight" -> daemon.setWeight(req.get("vm").getAsString(), req.get("weight").getAsInt());
                default -> throw new IllegalArgumentException("unknown op '" + op + "' (known: status, set-weight)");
            }
            out.addProperty("ok", true);
        } catch (Exception e) {
            out = new JsonObject();
            out.addProperty("ok", false);
            out.addProperty("error", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort on shutdown
        }
    }
}
