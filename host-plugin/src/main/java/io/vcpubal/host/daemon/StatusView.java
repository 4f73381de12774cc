package io.vcpubal.host.daemon;

import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.plan.VmPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the {@link VmStatus} of one VM from its state; pins as read back before (no I/O here). */
final class StatusView {
    private StatusView() {}

    static VmStatus of(VmState s, Map<VcpuThread, String> affinity) {
        List<VmStatus.VcpuPin> pins = new ArrayList<>();
        if (s.process != null) {
            for (VcpuThread t : s.process.vcpus()) {
                pins.add(new VmStatus.VcpuPin(t.cpuIndex(), t.threadId(), affinity.getOrDefault(t, "?")));
            }
        }
        GuestLink link = s.link;
        String agent = link == null ? "no agent" : stateText(link.state());
        // usable CPUs: a fenced CPU is online to the guest kernel but out of use, like an offline one
        String online = link == null || link.state() != AgentState.CONNECTED ? null : link.onlineCpus()
                .map(o -> CpuSet.tryParse(o).flatMap(on -> CpuSet.tryParse(link.fencedCpus()).map(f -> on.minus(f).toString()))
                        .orElse(o))
                .orElse(null);
        String fenced = online == null || link.fencedCpus().isEmpty() ? null : link.fencedCpus();
        double steal = link == null ? -1 : link.latestFacts().map(f -> f.getContention().getStealShare()).orElse(-1.0);
        VmPlan p = s.plan;
        String error = java.util.stream.Stream.of(s.observeError, s.lastError, s.balloonError)
                .filter(java.util.Objects::nonNull).reduce((x, y) -> x + "; " + y).orElse(null);
        return new VmStatus(s.config.name(), s.config.weight(), p == null ? 0 : p.share(),
                p == null ? "-" : p.mode().toString().toLowerCase(), p == null ? 0 : p.onlineVcpus(), s.vcpus(),
                online, pins, steal, agent, link == null ? 0 : link.lastContactMillis(), error,
                s.process == null ? 0 : s.process.pid(), s.process == null ? List.of() : s.process.problems(),
                link == null ? null : link.counters().snapshot(), link == null ? null : link.latestFacts()
                        .map(f -> new VmStatus.GuestReport(f.getContention().getSystemShare(),
                                f.getContention().getRunqueueWaitMsPerS(), f.getContention().getPsiSomeAvg10(),
                                f.getLease().getExpiredRestoreRealtimeMs()))
                        .orElse(null), fenced);
    }

    private static String stateText(AgentState s) {
        return switch (s) {
            case NO_AGENT -> "no agent";
            case CONNECTING -> "connecting";
            case CONNECTED -> "connected";
            case INCOMPATIBLE -> "incompatible";
        };
    }
}
