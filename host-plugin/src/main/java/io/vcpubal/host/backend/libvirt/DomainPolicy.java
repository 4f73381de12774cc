package io.vcpubal.host.backend.libvirt;

import io.vcpubal.host.config.VmConfig;

/**
 * Pure: whether vcpubal manages a running domain, and as what {@link VmConfig}.
 *
 * <ul>
 *   <li>A domain with the vcpubal channel is managed, the channel's socket being the agent link; without it,
 *       only with {@code manage-all = true} (pinned by share, no agent).</li>
 *   <li>Weight: vcpubal's metadata {@code weight}, else {@code <cputune><shares>} (what OpenStack's
 *       {@code quota:cpu_shares} and oVirt write), else {@value #DEFAULT_WEIGHT} (libvirt's own default
 *       cpu_shares, so a domain given shares 2048 weighs twice one left alone). Shares above
 *       {@link VmConfig#MAX_WEIGHT} count as that. The guest can change neither.</li>
 *   <li>Both are read from the persistent definition when the domain has one: the live
 *       {@code <cputune><shares>} is what vcpubal itself writes to enforce fractional shares, so reading it back
 *       would feed vcpubal's own output into its input. A transient domain has only its live XML; vcpubal
 *       reads it once, at adoption ({@link LibvirtBackend} keeps that weight).</li>
 * </ul>
 */
final class DomainPolicy {
    static final int DEFAULT_WEIGHT = 1024;

    /** The outcome for one domain: a VM to manage, or why not. */
    record Decision(VmConfig vm, String skipped) {}

    private DomainPolicy() {}

    /**
     * @param live       the running domain's XML (libvirt fills in generated channel paths here)
     * @param definition its persistent (inactive) XML, or null for a transient domain
     */
    static Decision decide(DomainXml live, DomainXml definition, boolean manageAll) {
        if (live.agentChannel() == null && !manageAll) {
            return new Decision(null, "no unix channel named " + DomainXml.AGENT_PORT + " (and manage-all is off)");
        }
        DomainXml settings = definition != null ? definition : live;
        DomainXml.Metadata meta = settings.meta();
        int min = meta == null ? 0 : meta.minVcpus();
        int max = meta == null ? 0 : meta.maxVcpus();
        try {
            return new Decision(new VmConfig(live.name(), weight(settings), null, live.agentChannel(), null, max,
                    max > 0 ? Math.min(min, max) : min), null);
        } catch (IllegalArgumentException e) {
            return new Decision(null, e.getMessage());
        }
    }

    static int weight(DomainXml settings) {
        if (settings.meta() != null && settings.meta().weight() > 0) {
            return settings.meta().weight();
        }
        if (settings.shares() >= 0) {
            return (int) Math.max(1, Math.min(VmConfig.MAX_WEIGHT, settings.shares()));
        }
        return DEFAULT_WEIGHT;
    }
}
