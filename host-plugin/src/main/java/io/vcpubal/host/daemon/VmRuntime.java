package io.vcpubal.host.daemon;

import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * What the daemon knows and last did for one VM. Written only on the reconcile thread; {@code vcpus} and
 * {@code plan} are also read by the lease-renewal thread, hence volatile.
 */
final class VmRuntime {
    volatile VmConfig config;
    final GuestLink link;
    volatile int vcpus;
    volatile VmPlan plan;
    final List<CpuSet> appliedPins = new ArrayList<>();
    CpuSet appliedEmulator;
    String lastError;

    VmRuntime(VmConfig config, GuestLink link) {
        this.config = config;
        this.link = link;
    }

    void recordPin(int vcpu, CpuSet cpus) {
        while (appliedPins.size() <= vcpu) {
            appliedPins.add(null);
        }
        appliedPins.set(vcpu, cpus);
    }

    /** Forget applied pins: the next round re-applies all (e.g. after QEMU restarted). */
    void forgetApplied() {
        appliedPins.clear();
        appliedEmulator = null;
    }
}
