package io.vcpubal.host.daemon;

import io.vcpubal.protocol.codec.FrameStats;
import java.util.List;

/**
 * One VM as {@code vcpubal-host status} shows it.
 *
 * @param share pCPUs the plan gives this VM (0 when not planned)
 * @param guestOnline online vCPUs as the guest reports them (cpulist), null without an agent
 * @param pins each vCPU thread and the pCPUs the kernel lets it run on now
 * @param stealShare steal share of the guest's last report, -1 when unknown
 * @param lastContactMs wall-clock millis of the agent's last message, 0 = never
 * @param pid the hypervisor process last observed, 0 = none
 * @param degraded why some of its vCPU threads are not pinned (not tasks of {@code pid}); empty = not degraded
 * @param link what the agent link's decoder received (bytes, frames, drops, work), null without an agent socket
 * @param guest contention and lease state from the agent's last report, null before the first one
 */
public record VmStatus(String name, int weight, double share, String mode, int targetOnline, int vcpus,
                       String guestOnline, List<VcpuPin> pins, double stealShare, String agent, long lastContactMs,
                       String lastError, long pid, List<String> degraded, FrameStats link, GuestReport guest,
                       String guestFenced) {
    public VmStatus {
        pins = List.copyOf(pins);
        degraded = List.copyOf(degraded);
    }

    /** Nothing fenced. */
    public VmStatus(String name, int weight, double share, String mode, int targetOnline, int vcpus,
                    String guestOnline, List<VcpuPin> pins, double stealShare, String agent, long lastContactMs,
                    String lastError, long pid, List<String> degraded, FrameStats link, GuestReport guest) {
        this(name, weight, share, mode, targetOnline, vcpus, guestOnline, pins, stealShare, agent, lastContactMs,
                lastError, pid, degraded, link, guest, null);
    }

    /** Fenced vCPUs of the guest (online but out of use); 0 when none or unknown. */
    public int fencedCount() {
        return guestFenced == null ? 0 : io.vcpubal.protocol.CpuSet.tryParse(guestFenced).map(c -> c.size()).orElse(0);
    }

    /**
     * What the guest's last report says about contention inside it, as ratios of its online CPUs' time (the
     * agent's own definitions, see the proto's {@code Contention}), and when its last lease expired.
     *
     * @param leaseExpiredRealtimeMs wall-clock millis when the guest last restored CPUs on lease expiry, 0 = never
     */
    public record GuestReport(double systemShare, double runqueueWaitMsPerS, double psiSomeAvg10,
                              long leaseExpiredRealtimeMs) {}

    /** One vCPU thread's pin as read back from the kernel. */
    public record VcpuPin(int vcpu, int tid, String cpus) {}
}
