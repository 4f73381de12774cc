package io.vcpubal.host.plan;

import io.vcpubal.protocol.CpuSet;
import java.util.List;
import java.util.Objects;

/**
 * The plan for one VM.
 *
 * @param name     the VM
 * @param share    its share of the assignable pCPUs, in pCPUs (whole numbers are exact)
 * @param mode     {@link Mode#DEDICATED} when the share is whole, else {@link Mode#BALANCED}
 * @param vcpuPins element {@code i} is the pCPU set of vCPU {@code i}; its size is the number of vCPUs the
 *                 guest keeps online, always vCPUs {@code 0..n-1} (cpu0 cannot go offline; like
 *                 {@code xl vcpu-set}, the highest-numbered vCPUs go first). In BALANCED mode the last
 *                 vCPU is the balanced one, pinned to the shared pool.
 * @param entitlement its static share by weight alone, what it gets back whenever it asks (= share when
 *                 the VM wants all it can get)
 */
public record VmPlan(String name, double share, Mode mode, List<CpuSet> vcpuPins, double entitlement) {

    public VmPlan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        vcpuPins = List.copyOf(vcpuPins);
    }

    /** vCPUs the guest keeps online. */
    public int onlineVcpus() {
        return vcpuPins.size();
    }

    /** vCPUs with a pCPU of their own: all in DEDICATED mode, all but the last in BALANCED mode. */
    public int dedicatedVcpus() {
        return mode == Mode.DEDICATED ? vcpuPins.size() : vcpuPins.size() - 1;
    }

    /** The pCPUs this VM has to itself. */
    public CpuSet dedicatedCpus() {
        CpuSet cpus = CpuSet.empty();
        for (int i = 0; i < dedicatedVcpus(); i++) {
            cpus = cpus.union(vcpuPins.get(i));
        }
        return cpus;
    }

    /**
     * CPU time of the balanced vCPU, in pCPUs (share minus dedicated vCPUs; 0 in DEDICATED mode). The host
     * scheduler enforces it among the pool's vCPUs (cgroup cpu.weight proportional to it).
     */
    public double balancedShare() {
        return mode == Mode.DEDICATED ? 0 : share - dedicatedVcpus();
    }

    /**
     * Every pCPU this VM may run on. vCPU threads beyond {@link #onlineVcpus()} (offline in the guest, or
     * still online because the guest has no agent) belong here: the share is then enforced by pinning alone.
     */
    public CpuSet cpus() {
        CpuSet cpus = CpuSet.empty();
        for (CpuSet pin : vcpuPins) {
            cpus = cpus.union(pin);
        }
        return cpus;
    }

    /**
     * Whether all of its pool time is lent to it by VMs that do not use theirs (its dedicated vCPUs already
     * cover its entitlement). Such a balanced vCPU runs at the host's idle priority (cgroup {@code cpu.idle}):
     * the moment a lender's vCPU on the pool wakes, it runs, without waiting for the re-plan.
     */
    public boolean borrowsPool() {
        return mode == Mode.BALANCED && dedicatedVcpus() + Shares.INTEGRAL_TOLERANCE >= entitlement;
    }

    /**
     * vCPUs it keeps online at its entitlement, as the planner counts them for a share (ceil, at least 1).
     * Fewer online means it lends to others, more means it borrows; both last only as long as demand does.
     */
    public int entitledVcpus() {
        long whole = Math.round(entitlement);
        int n = Shares.isWhole(entitlement) ? (int) whole : (int) Math.floor(entitlement) + 1;
        return Math.max(1, n);
    }

    /** pCPUs above its entitlement (lent to it by idle VMs), 0 when it has no more than its entitlement. */
    public double borrowed() {
        return Math.max(0, share - entitlement);
    }
}
