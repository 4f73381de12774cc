package io.vcpubal.host.control;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one request to the daemon's control socket and returns its answer. */
public final class ControlClient {
    /** Connecting, sending and getting the answer together; a daemon that takes longer is reported stuck. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ControlClient() {}

    /** Throws IOException with a message that says what to do when the daemon is not there or stuck. */
    public static JsonObject request(Path socket, JsonObject req) throws IOException {
        return request(socket, req, TIMEOUT);
    }

    static JsonObject request(Path socket, JsonObject req, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no vcpubal-host daemon at " + socket + " (start it with `vcpubal-host run`, or pass"
                    + " --control PATH)");
        }
        String line;
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
             ChannelDeadline d = ChannelDeadline.arm(c, timeout)) {
            String waitingTo = "accept the connection";
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
                waitingTo = "answer";
                ControlConnection.writeLine(c, req.toString());
                line = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                if (d.expired()) {
                    throw new IOException("the vcpubal-host daemon at " + socket + " did not " + waitingTo
                            + " within " + timeout.toMillis() / 1000.0 + " s (is it stuck? see its log)", e);
                }
                throw e;
            }
        }
        if (line == null) {
            throw new IOException("the daemon at " + socket + " closed the connection without answering");
        }
        JsonObject answer = parse(line);
        JsonElement ok = answer == null ? null : answer.get("ok");
        if (ok == null || !ok.isJsonPrimitive()) {
            throw new IOException("unexpected answer from the daemon at " + socket + ": " + line);
        }
        if (!ok.getAsBoolean()) {
            JsonElement error = answer.get("error");
            throw new IOException(error == null || error.isJsonNull() ? "the daemon refused: " + line : error.getAsString());
        }
        return answer;
    }

    private static JsonObject parse(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }
}
