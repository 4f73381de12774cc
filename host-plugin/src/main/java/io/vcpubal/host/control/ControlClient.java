package io.vcpubal.host.control;

import com.google.gson.JsonObject;
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

/** Sends one request to the daemon's control socket and returns its answer. */
public final class ControlClient {
    private ControlClient() {}

    /** Throws IOException with a message that says what to do when the daemon is not there. */
    public static JsonObject request(Path socket, JsonObject req) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no vcpubal-host daemon at " + socket + " (start it with `vcpubal-host run`, or pass"
                    + " --control PATH)");
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(StandardCharsets.UTF_8.encode(req + "\n"));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the daemon at " + socket + " closed the connection without answering");
            }
            JsonObject answer = JsonParser.parseString(line).getAsJsonObject();
            if (!answer.get("ok").getAsBoolean()) {
                throw new IOException(answer.get("error").getAsString());
            }
            return answer;
        }
    }
}
