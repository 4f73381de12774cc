package io.vcpubal.host.daemon;

import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestLink;
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
        String online = link == null || link.state() != AgentState.CONNECTED ? null : link.onlineCpus().orElse(null);
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
                        .orElse(null));
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
