package io.vcpubal.lab.it;

import static io.vcpubal.lab.it.InGuest.await;
import static io.vcpubal.lab.it.InGuest.online;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host daemon's metrics endpoint scraped by a real Prometheus server (Debian's package, started here on
 * loopback), while the daemon drives a real guest: what Prometheus stores is what the guest reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    private static final Path HOST_JAR = Path.of(System.getProperty("vcpubal.host.jar", "../host-plugin/target/vcpubal-host.jar"));
    private static final Duration T = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newHttpClient();
    private Lab lab;
    private Guest guest;
    private Path dir;
    private Process host;
    private Process prometheus;
    private int metricsPort;
    private int prometheusPort;

    @BeforeAll
    void start() throws Exception {
        lab = Lab.start(GuestSpec.of("vm-m", 2));
        guest = lab.guest("vm-m");
        InGuest.startAgent(guest);
        dir = Files.createTempDirectory(Path.of("/tmp"), "vcpubal-metrics-it");
        metricsPort = freePort();
        prometheusPort = freePort();
        int cpus = Runtime.getRuntime().availableProcessors();
        // One host CPU for the guest's VM with weight 1 next to an idle reserved rest: 1 vCPU online, dedicated.
        Files.writeString(dir.resolve("host.conf"), "metrics-listen = 127.0.0.1:" + metricsPort + "\n"
                + "reconcile-interval-ms = 1000\n" + "reserved-cpus = " + (cpus > 2 ? "1-" + (cpus - 1) : "1") + "\n");
        host = new ProcessBuilder(List.of(InGuest.hostJava(), "-jar", HOST_JAR.toString(), "run", "--config",
                dir.resolve("host.conf").toString(), "--control", dir.resolve("host.sock").toString(),
                "--vm", "name=m,weight=1,qmp=" + guest.qmpSocket() + ",agent=" + guest.agentSocket()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("host.log").toFile()).start();
        Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: vcpubal\n    static_configs:\n      - targets: ['127.0.0.1:"
                + metricsPort + "']\n");
        prometheus = new ProcessBuilder(List.of("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort))
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    @AfterAll
    void stop() throws Exception {
        for (Process p : new Process[] {prometheus, host}) {
            if (p != null) {
                p.destroy();
                p.waitFor(20, TimeUnit.SECONDS);
                p.destroyForcibly();
            }
        }
        if (dir != null && Files.exists(dir.resolve("host.log"))) {
            System.out.println("--- host plugin log ---\n" + Files.readString(dir.resolve("host.log")));
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void prometheusStoresTheGuestsOnlineVcpusAsTheGuestReportsThemAndTheExpositionPassesPromtool() throws Exception {
        await("the guest ballooned to one vCPU", T, () -> online(guest).equals("0"));
        String online = online(guest);
        await("Prometheus has the guest's online vCPUs", T, () -> value("vcpubal_vm_online_vcpus{vm=\"m\"}")
                == CpuSet.parse(online).size());
        JsonObject sample = query("vcpubal_vm_online_vcpus").get(0).getAsJsonObject().getAsJsonObject("metric");
        assertEquals("m", sample.get("vm").getAsString());
        assertEquals("qmp", sample.get("backend").getAsString());
        assertEquals("vcpubal", sample.get("job").getAsString());
        assertEquals(1.0, value("vcpubal_vm_agent_state{vm=\"m\",state=\"connected\"}"));
        assertEquals(1.0, value("vcpubal_vm_entitled_cpus{vm=\"m\"}"));
        assertTrue(value("sum(vcpubal_balloon_results_total{vm=\"m\",outcome=\"applied\"})") >= 1, "the balloon counted");
        assertTrue(value("vcpubal_reconcile_round_duration_seconds_count") >= 1);
        assertTrue(value("vcpubal_link_frames_total{vm=\"m\"}") > 0);

        String exposition = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Process check = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String verdict = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), "promtool check metrics:\n" + verdict);
        assertTrue(verdict.isBlank(), "no lint findings:\n" + verdict);
        long series = exposition.lines().filter(l -> l.startsWith("vcpubal_")).count();
        System.out.printf("lab: metrics endpoint: %d vcpubal samples for 1 VM, %d bytes per scrape; promtool clean%n",
                series, exposition.length());
    }

    /** The one sample of an instant query's result, or NaN when there is none yet. */
    private double value(String promql) {
        try {
            JsonArray r = query(promql);
            return r.isEmpty() ? Double.NaN : r.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsDouble();
        } catch (IOException e) {
            return Double.NaN; // Prometheus still starting
        }
    }

    private JsonArray query(String promql) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("data").getAsJsonArray("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
