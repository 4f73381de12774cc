package io.vcpubal.host.daemon;

import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.demand.DemandPolicy;
import io.vcpubal.host.demand.VmDemand;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.policy.ClassUsageMeter;
import io.vcpubal.host.policy.VmClassPlan;
import io.vcpubal.protocol.v1.SetProcessClasses;
import io.vcpubal.host.reconcile.Observed;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * What the daemon knows of and last did to one VM: its config, the observed QEMU process, the plan, the pins
 * applied, the balloon in flight. Guarded by the daemon's state lock; never does I/O itself.
 */
final class VmState {
    VmConfig config;
    final GuestLink link;
    /** The last good observation; kept across a transient backend failure, dropped when the process is gone. */
    VmProcess process;
    /** An observation is running (one at a time per VM, so a hung QEMU cannot pile them up). */
    boolean observing;
    String observeError;
    VmPlan plan;
    final List<CpuSet> appliedPins = new ArrayList<>();
    CpuSet appliedEmulator;
    /** The online set asked of the guest keeps some CPUs offline: its lease is renewed. */
    boolean leased;
    boolean balloonPending;
    Observed.Refusal refusal;
    /** The vCPU count the plan wanted last round, and since when (nanoTime): auto mode's clock. */
    int wantedCount = -1;
    long wantedSinceNanos;
    /** Why the last round's pins failed, null when they did not. */
    String lastError;
    /** Some of its threads are in its cgroup. */
    boolean weighted;
    /** Why the last balloon failed or was refused, null after one that worked. */
    String balloonError;
    /** Where the daemon learnt of this VM: a SIGHUP re-reads only what came from the config. */
    final VmOrigin origin;
    /** Observations in a row that found no process: they back off while it stays that way. */
    int misses;
    /** Not observed again before this (System.currentTimeMillis), while it has no process. */
    long nextObserveMs;
    /** When its QEMU was seen gone (0 = running, or never seen): after a grace the VM is released for good. */
    long goneSinceMs;
    /** When the backend last described the running process (see {@link HostDaemon#REOBSERVE_ROUNDS}). */
    long observedAtMs;
    /** What its guest's facts say it would use, for demand-aware plans. */
    final VmDemand demand = new VmDemand(DemandPolicy.DEFAULT);
    /** What its process classes and unmatched processes use (guest view, held), for process policies. */
    final ClassUsageMeter classUsage = new ClassUsageMeter();
    /** CPUs the host saw its vCPU threads run or wait to run; NaN while unmeasured. */
    double wantCpus = Double.NaN;
    /** Host-true CPU per guest-view CPU over its last report interval; NaN while unmeasured. */
    double hostFactor = Double.NaN;
    /** Its part of the last class plan; null without process policies. */
    VmClassPlan classPlan;
    /** The classes its guest last acknowledged (null: none sent since it connected), one command in flight at a time. */
    SetProcessClasses classesAcked;
    boolean classesPending;
    long classesSentNanos;
    /** Why the last SetProcessClasses failed or what its guest could not apply; null when all applied. */
    String classError;

    VmState(VmConfig config, GuestLink link, VmOrigin origin) {
        this.config = config;
        this.link = link;
        this.origin = origin;
    }

    void recordPin(int vcpu, CpuSet cpus) {
        while (appliedPins.size() <= vcpu) {
            appliedPins.add(null);
        }
        appliedPins.set(vcpu, cpus);
    }

    /** A new QEMU process (or none): nothing we applied to the old one holds for it. */
    void newProcess(VmProcess p) {
        process = p;
        appliedPins.clear();
        appliedEmulator = null;
        refusal = null;
    }

    /** The most vCPUs the plan may give it (0 while it has no process). */
    int maxVcpus() {
        return config.maxVcpus() > 0 ? Math.min(config.maxVcpus(), vcpus()) : vcpus();
    }

    int vcpus() {
        return process == null ? 0 : process.reportedVcpus();
    }
}
