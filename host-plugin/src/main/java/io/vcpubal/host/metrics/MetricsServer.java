package io.vcpubal.host.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vcpubal.host.daemon.VmStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus endpoint ({@code metrics-listen = HOST:PORT}, off by default): {@code /metrics} in
 * the standard text format, served by the Prometheus Java client's JDK-HttpServer exporter.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final EventMetrics events;

    private MetricsServer(HTTPServer server, EventMetrics events) {
        this.server = server;
        this.events = events;
    }

    /** Binds {@code listen}, registers the daemon's series and starts serving; fails if the port is taken. */
    public static MetricsServer start(InetSocketAddress listen, Supplier<List<VmStatus>> status, String backend)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        VmMetrics.register(registry, status, backend);
        EventMetrics events = new EventMetrics(registry, backend);
        HTTPServer server = HTTPServer.builder().inetAddress(listen.getAddress()).port(listen.getPort())
                .registry(registry).buildAndStart();
        return new MetricsServer(server, events);
    }

    /** Where the daemon reports what happens ({@link DaemonEvents}). */
    public EventMetrics events() {
        return events;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /**
     * Parses {@code HOST:PORT} ({@code [::1]:PORT} for IPv6). The host must be an IP address, so that what the
     * endpoint is exposed on is what the config says, not what a resolver answers.
     */
    public static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("metrics-listen must be HOST:PORT (e.g. 127.0.0.1:9464), got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics-listen: port is not a number in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics-listen: port " + port + " is outside 0-65535");
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("metrics-listen: '" + host + "' is not an IP address (use 127.0.0.1"
                    + " for this host only)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("metrics-listen: '" + host + "' is not an IP address");
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
