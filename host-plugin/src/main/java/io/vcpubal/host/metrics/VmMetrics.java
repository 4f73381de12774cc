package io.vcpubal.host.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.codec.FrameStats;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Per-VM state as Prometheus series (labels {@code vm} and {@code backend}), read from the daemon's
 * {@code status} when scraped. One status is taken per scrape ({@link ScrapeSnapshot}), so a scrape costs what
 * one {@code vcpubal-host status} costs. Ratios are 0..1, times in seconds, counters end in {@code _total}.
 */
public final class VmMetrics {
    static final List<String> AGENT_STATES = List.of("connected", "connecting", "no agent", "incompatible");

    private final ScrapeSnapshot<List<VmStatus>> status;
    private final String backend;

    private VmMetrics(Supplier<List<VmStatus>> status, String backend) {
        this.status = new ScrapeSnapshot<>(status);
        this.backend = backend;
    }

    /** Registers every per-VM series of a daemon whose status comes from {@code status}. */
    public static void register(PrometheusRegistry registry, Supplier<List<VmStatus>> status, String backend) {
        new VmMetrics(status, backend).registerInto(registry);
    }

    private void registerInto(PrometheusRegistry r) {
        gauge(r, "vcpubal_vm_weight", "The VM's weight (the admin's; the guest cannot change it)", VmStatus::weight);
        gauge(r, "vcpubal_vm_entitled_cpus", "pCPUs the plan gives the VM: weight x host pCPUs / all weights",
                VmStatus::share);
        gauge(r, "vcpubal_vm_pinned_cpus", "pCPUs the VM's vCPU threads may run on now, read back from the kernel",
                v -> pinned(v).size());
        gauge(r, "vcpubal_vm_vcpus", "vCPUs the hypervisor reports for the VM", VmStatus::vcpus);
        gauge(r, "vcpubal_vm_target_online_vcpus", "vCPUs the plan wants online in the guest", VmStatus::targetOnline);
        gauge(r, "vcpubal_vm_degraded_vcpus", "vCPU threads not pinned because they are not tasks of the VM's process",
                v -> v.degraded().size());
        optionalGauge(r, "vcpubal_vm_online_vcpus",
                "vCPUs the guest can use (online and not fenced), as its agent reports them",
                // what the guest says: a malformed list must cost its own sample, not the whole scrape
                v -> v.guestOnline() == null ? null
                        : CpuSet.tryParse(v.guestOnline()).map(c -> (double) c.size()).orElse(null));
        GaugeWithCallback.builder().name("vcpubal_vm_plan_vcpus")
                .help("vCPUs by how they are scheduled: dedicated and balanced as the plan wants them online,"
                        + " fenced as the guest reports them (online but idle, pinned to the VM's own pCPUs)")
                .labelNames("vm", "backend", "mode")
                .callback(cb -> {
                    for (VmStatus v : status.get()) {
                        boolean balanced = v.mode().equals("balanced");
                        cb.call(balanced ? v.targetOnline() - 1 : v.targetOnline(), v.name(), backend, "dedicated");
                        cb.call(balanced ? 1 : 0, v.name(), backend, "balanced");
                        cb.call(v.fencedCount(), v.name(), backend, "fenced");
                    }
                }).register(r);
        GaugeWithCallback.builder().name("vcpubal_vm_agent_state")
                .help("1 for the agent link's current state, 0 for the others")
                .labelNames("vm", "backend", "state")
                .callback(cb -> {
                    for (VmStatus v : status.get()) {
                        for (String s : AGENT_STATES) {
                            cb.call(s.equals(v.agent()) ? 1 : 0, v.name(), backend, s.replace(' ', '_'));
                        }
                    }
                }).register(r);
        optionalGauge(r, "vcpubal_guest_steal_ratio", "Share of the guest's CPU time stolen by the host (agent report)",
                v -> v.stealShare() < 0 ? null : v.stealShare());
        optionalGauge(r, "vcpubal_guest_system_ratio", "Share of the guest's CPU time in its kernel (agent report)",
                v -> v.guest() == null ? null : v.guest().systemShare());
        optionalGauge(r, "vcpubal_guest_runqueue_wait_ratio",
                "Seconds tasks waited on the guest's runqueues per second (agent report)",
                v -> v.guest() == null ? null : v.guest().runqueueWaitMsPerS() / 1000);
        optionalGauge(r, "vcpubal_guest_cpu_pressure_some_ratio", "The guest's CPU PSI 'some' avg10, as a ratio",
                v -> v.guest() == null ? null : v.guest().psiSomeAvg10() / 100);
        optionalGauge(r, "vcpubal_guest_lease_last_expiry_timestamp_seconds",
                "When the guest last gave itself every CPU back because the host stopped renewing its lease",
                v -> v.guest() == null || v.guest().leaseExpiredRealtimeMs() == 0 ? null
                        : v.guest().leaseExpiredRealtimeMs() / 1000.0);
        counter(r, "vcpubal_link_received_bytes_total", "Bytes read from the VM's agent port", FrameStats::bytesReceived);
        counter(r, "vcpubal_link_frames_total", "Intact frames decoded from the VM's agent port", FrameStats::frames);
        counter(r, "vcpubal_link_dropped_bytes_total", "Junk and rejected bytes dropped from the VM's agent port",
                FrameStats::droppedBytes);
        counter(r, "vcpubal_link_dropped_frames_total", "Frames rejected (CRC, oversized, truncated)",
                FrameStats::droppedFrames);
        counter(r, "vcpubal_link_decode_work_bytes_total", "Bytes the decoder examined (bounded per byte received)",
                FrameStats::workBytes);
        counter(r, "vcpubal_link_throttled_total", "Times the link stopped reading a guest for the rest of a second",
                FrameStats::throttled);
    }

    private static CpuSet pinned(VmStatus v) {
        CpuSet all = CpuSet.of();
        for (VmStatus.VcpuPin p : v.pins()) {
            if (!p.cpus().equals("?")) {
                all = all.union(CpuSet.parse(p.cpus()));
            }
        }
        return all;
    }

    private void gauge(PrometheusRegistry r, String name, String help, ToDoubleFunction<VmStatus> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("vm", "backend")
                .callback(cb -> status.get().forEach(v -> cb.call(value.applyAsDouble(v), v.name(), backend)))
                .register(r);
    }

    /** A gauge a VM has only while the value is known (no agent, no report: no sample rather than a fake 0). */
    private void optionalGauge(PrometheusRegistry r, String name, String help, Function<VmStatus, Double> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("vm", "backend")
                .callback(cb -> status.get().forEach(v -> {
                    Double d = value.apply(v);
                    if (d != null) {
                        cb.call(d, v.name(), backend);
                    }
                })).register(r);
    }

    private void counter(PrometheusRegistry r, String name, String help, ToDoubleFunction<FrameStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("vm", "backend")
                .callback(cb -> status.get().forEach(v -> {
                    if (v.link() != null) {
                        cb.call(value.applyAsDouble(v.link()), v.name(), backend);
                    }
                })).register(r);
    }
}
