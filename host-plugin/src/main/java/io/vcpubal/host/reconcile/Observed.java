package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;
import java.util.List;

/**
 * What the host knows of one VM before reconciling.
 *
 * @param vcpus          vCPU threads QEMU has (online or not), indices 0..vcpus-1
 * @param guest          the connected agent's view; null when no agent is connected
 * @param appliedPins    the pin last applied to each vCPU (index = vCPU), shorter or with nulls when unknown
 * @param appliedEmulator the emulator pin last applied, null when none
 * @param balloonPending a balloon command is on its way: send no other until it is answered
 * @param refusal        the last balloon the guest refused, null when none
 * @param mode           the balloon mode chosen for this round ({@link BalloonModes})
 */
public record Observed(int vcpus, GuestView guest, List<CpuSet> appliedPins, CpuSet appliedEmulator,
                       boolean balloonPending, Refusal refusal, BalloonKind mode) {
    /**
     * The guest refused to go to {@code wanted} in {@code mode} while it had {@code online} usable: do not ask
     * again until one of them changes.
     */
    public record Refusal(CpuSet wanted, CpuSet online, BalloonKind mode) {
        public Refusal(CpuSet wanted, CpuSet online) {
            this(wanted, online, BalloonKind.HOTPLUG);
        }
    }

    public Observed {
        appliedPins = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(appliedPins));
    }

    /** Hotplug mode. */
    public Observed(int vcpus, GuestView guest, List<CpuSet> appliedPins, CpuSet appliedEmulator,
                    boolean balloonPending, Refusal refusal) {
        this(vcpus, guest, appliedPins, appliedEmulator, balloonPending, refusal, BalloonKind.HOTPLUG);
    }

    public static Observed fresh(int vcpus, GuestView guest) {
        return new Observed(vcpus, guest, List.of(), null, false, null);
    }

    CpuSet appliedPin(int vcpu) {
        return vcpu < appliedPins.size() ? appliedPins.get(vcpu) : null;
    }
}
