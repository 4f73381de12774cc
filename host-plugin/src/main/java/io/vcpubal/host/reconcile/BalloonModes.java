package io.vcpubal.host.reconcile;

import io.vcpubal.host.config.BalloonChoice;
import java.time.Duration;

/**
 * Pure: the balloon mode of one VM this round, from the operator's choice, what the agent offers, how
 * long the plan has wanted the same number of vCPUs, and how that number compares with the VM's entitlement.
 *
 * <p>{@code auto}: a change that is undone within {@link #AUTO_HOTPLUG_AFTER} is short-lived, and fence makes
 * both of its halves fast (milliseconds instead of hotplug's stop-machine per CPU). A shrink that holds
 * longer is turned into hotplug with the same set: the guest kernel then stops carrying the CPUs (their
 * per-CPU kernel threads, timers and IPIs), which a fence leaves in place. A VM wanted at exactly its
 * entitled vCPUs ({@code io.vcpubal.host.plan.VmPlan#entitledVcpus}) is at its rest state, long-lived by
 * nature (a weight change, or a borrower giving back what it was lent), so it gets hotplug at once: the
 * lab measured a guest left fenced at its entitlement 1.5x slower on barrier than the same guest hotplugged
 * (docs/work-conserving.md). Lending (fewer) and borrowing (more) follow demand and stay fenced. An agent
 * that does not offer fence always gets hotplug.
 */
public final class BalloonModes {
    /** How long a wanted set must hold before {@code auto} turns a fence into hotplug. */
    public static final Duration AUTO_HOTPLUG_AFTER = Duration.ofSeconds(60);

    private BalloonModes() {}

    public static BalloonKind choose(BalloonChoice choice, boolean agentOffersFence, Duration wantedUnchangedFor,
                                     boolean atEntitlement) {
        if (!agentOffersFence) {
            return BalloonKind.HOTPLUG;
        }
        return switch (choice) {
            case HOTPLUG -> BalloonKind.HOTPLUG;
            case FENCE -> BalloonKind.FENCE;
            case AUTO -> !atEntitlement && wantedUnchangedFor.compareTo(AUTO_HOTPLUG_AFTER) < 0
                    ? BalloonKind.FENCE : BalloonKind.HOTPLUG;
        };
    }
}
