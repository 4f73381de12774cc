package io.vcpubal.host.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** {@link DaemonEvents} as Prometheus counters and histograms (all {@code _total} / {@code _seconds}, base units). */
public final class EventMetrics implements DaemonEvents {
    private final String backend;
    private final Histogram rounds;
    private final Counter replans;
    private final Histogram balloons;
    private final Counter balloonResults;
    private final Counter renewals;

    public EventMetrics(PrometheusRegistry registry, String backend) {
        this.backend = backend;
        rounds = Histogram.builder().name("vcpubal_reconcile_round_duration_seconds")
                .help("Time of one reconcile round: observe, plan, pin, weigh (balloons run after it)")
                .labelNames("backend").classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
        replans = Counter.builder().name("vcpubal_replans_total")
                .help("Reconcile rounds whose plan differed from the previous one").labelNames("backend")
                .register(registry);
        balloons = Histogram.builder().name("vcpubal_balloon_duration_seconds")
                .help("Host round trip of a balloon request, by balloon mode").labelNames("vm", "backend", "mode")
                .classicOnly().classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        balloonResults = Counter.builder().name("vcpubal_balloon_results_total")
                .help("Balloon requests by how they ended: applied, refused, failed, timeout")
                .labelNames("vm", "backend", "outcome").register(registry);
        renewals = Counter.builder().name("vcpubal_lease_renewals_total")
                .help("Lease renewals sent to guests, by outcome: ok, failed").labelNames("vm", "backend", "outcome")
                .register(registry);
    }

    @Override
    public void round(double seconds, boolean replanned) {
        rounds.labelValues(backend).observe(seconds);
        if (replanned) {
            replans.labelValues(backend).inc();
        }
    }

    @Override
    public void balloon(String vm, String mode, BalloonOutcome outcome, double seconds) {
        balloons.labelValues(vm, backend, mode).observe(seconds);
        balloonResults.labelValues(vm, backend, outcome.label()).inc();
    }

    @Override
    public void leaseRenewal(String vm, boolean ok) {
        renewals.labelValues(vm, backend, ok ? "ok" : "failed").inc();
    }

    /** Drops every series of a VM the daemon no longer manages, so it stops being exported. */
    @Override
    public void removed(String vm) {
        balloons.removeIf(labels -> labels.get(0).equals(vm)); // "vm" is every per-VM metric's first label
        balloonResults.removeIf(labels -> labels.get(0).equals(vm));
        renewals.removeIf(labels -> labels.get(0).equals(vm));
    }
}
