package io.vcpubal.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.protocol.codec.FrameStats;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP on loopback, fed a fixed status. */
class MetricsServerTest {
    private static final List<VmStatus> STATUS = List.of(
            new VmStatus("web", 3, 1.5, "balanced", 2, 4, "0-1",
                    List.of(new VmStatus.VcpuPin(0, 11, "0"), new VmStatus.VcpuPin(1, 12, "1"),
                            new VmStatus.VcpuPin(2, 13, "0"), new VmStatus.VcpuPin(3, 14, "0")),
                    0.02, "connected", 1, null, 4242, List.of(),
                    new FrameStats(5000, 4, 4000, 1000, 1, 1, 0, 0, 9000, 2),
                    new VmStatus.GuestReport(0.1, 250, 12.5, 1_700_000_000_000L)),
            new VmStatus("batch", 1, 0.5, "balanced", 1, 2, null, List.of(), -1, "no agent", 0, null, 0,
                    List.of("vCPU 1: thread 9 is not a task of QEMU 7"), null, null));

    private final AtomicInteger statusCalls = new AtomicInteger();

    private static String scrape(MetricsServer s) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void servesEveryVmsSeriesWithVmAndBackendLabelsFromOneStatusPerScrape() throws Exception {
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            statusCalls.incrementAndGet();
            return STATUS;
        }, "qmp")) {
            s.events().round(0.004, true);
            s.events().balloon("web", "hotplug", DaemonEvents.BalloonOutcome.APPLIED, 0.12);
            s.events().balloon("web", "hotplug", DaemonEvents.BalloonOutcome.REFUSED, 0.02);
            s.events().leaseRenewal("web", true);
            String text = scrape(s);
            assertEquals(1, statusCalls.get(), "one status for all the series of a scrape");
            for (String line : List.of(
                    "vcpubal_vm_weight{backend=\"qmp\",vm=\"web\"} 3.0",
                    "vcpubal_vm_entitled_cpus{backend=\"qmp\",vm=\"batch\"} 0.5",
                    "vcpubal_vm_pinned_cpus{backend=\"qmp\",vm=\"web\"} 2.0",
                    "vcpubal_vm_online_vcpus{backend=\"qmp\",vm=\"web\"} 2.0",
                    "vcpubal_vm_plan_vcpus{backend=\"qmp\",mode=\"dedicated\",vm=\"web\"} 1.0",
                    "vcpubal_vm_plan_vcpus{backend=\"qmp\",mode=\"balanced\",vm=\"web\"} 1.0",
                    "vcpubal_vm_agent_state{backend=\"qmp\",state=\"no_agent\",vm=\"batch\"} 1.0",
                    "vcpubal_vm_agent_state{backend=\"qmp\",state=\"connected\",vm=\"batch\"} 0.0",
                    "vcpubal_vm_degraded_vcpus{backend=\"qmp\",vm=\"batch\"} 1.0",
                    "vcpubal_guest_runqueue_wait_ratio{backend=\"qmp\",vm=\"web\"} 0.25",
                    "vcpubal_guest_cpu_pressure_some_ratio{backend=\"qmp\",vm=\"web\"} 0.125",
                    "vcpubal_guest_lease_last_expiry_timestamp_seconds{backend=\"qmp\",vm=\"web\"} 1.7E9",
                    "vcpubal_link_dropped_bytes_total{backend=\"qmp\",vm=\"web\"} 1000.0",
                    "vcpubal_link_throttled_total{backend=\"qmp\",vm=\"web\"} 2.0",
                    "vcpubal_balloon_results_total{backend=\"qmp\",outcome=\"refused\",vm=\"web\"} 1.0",
                    "vcpubal_balloon_duration_seconds_count{backend=\"qmp\",mode=\"hotplug\",vm=\"web\"} 2",
                    "vcpubal_lease_renewals_total{backend=\"qmp\",outcome=\"ok\",vm=\"web\"} 1.0",
                    "vcpubal_replans_total{backend=\"qmp\"} 1.0",
                    "vcpubal_reconcile_round_duration_seconds_count{backend=\"qmp\"} 1")) {
                assertTrue(text.contains(line + "\n"), "missing: " + line + "\n" + text);
            }
            assertFalse(text.contains("vcpubal_vm_online_vcpus{backend=\"qmp\",vm=\"batch\"}"),
                    "no sample rather than a made-up 0 for a VM without an agent");
            assertFalse(text.contains("vcpubal_guest_steal_ratio{backend=\"qmp\",vm=\"batch\"}"));

            s.events().removed("web");
            assertFalse(scrape(s).contains("vcpubal_balloon_results_total{backend=\"qmp\",outcome=\"refused\",vm=\"web\"}"));
        }
    }

    @Test
    void everySeriesTheDashboardAndTheAlertsUseIsExported() throws Exception {
        String exported;
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> STATUS, "qmp")) {
            s.events().round(0.004, true);
            s.events().balloon("web", "hotplug", DaemonEvents.BalloonOutcome.APPLIED, 0.12);
            s.events().leaseRenewal("web", true);
            exported = scrape(s);
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(vcpubal_[a-z_]+)", java.util.regex.Pattern.MULTILINE)
                .matcher(exported);
        while (m.find()) {
            names.add(m.group(1));
        }
        for (String file : List.of("vcpubal-dashboard.json", "vcpubal-alerts.yml")) {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/monitoring", file));
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("vcpubal_[a-z_]+").matcher(text);
            int count = 0;
            while (used.find()) {
                count++;
                assertTrue(names.contains(used.group()), file + " uses " + used.group() + ", not among " + names);
            }
            assertTrue(count >= 5, file + " uses the metrics");
        }
    }

    @Test
    void aGuestsMalformedOnlineListCostsOnlyItsOwnSample() throws Exception {
        VmStatus liar = new VmStatus("liar", 1, 1, "dedicated", 1, 2, "0-1,banana", List.of(), -1, "connected", 1,
                null, 0, List.of(), null, null);
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(liar), "qmp")) {
            String text = scrape(s);
            assertFalse(text.contains("vcpubal_vm_online_vcpus{"), text);
            assertTrue(text.contains("vcpubal_vm_weight{backend=\"qmp\",vm=\"liar\"} 1.0"), text);
        }
    }

    @Test
    void listenMustBeAnIpAddressAndPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), MetricsServer.parseListen("127.0.0.1:9464"));
        assertEquals(9464, MetricsServer.parseListen("[::1]:9464").getPort());
        for (String bad : List.of("9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000", ":9464")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseListen(bad));
            assertTrue(e.getMessage().startsWith("metrics-listen"), e.getMessage());
        }
    }
}
