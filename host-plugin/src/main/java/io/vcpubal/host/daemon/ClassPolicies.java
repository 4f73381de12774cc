package io.vcpubal.host.daemon;

import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.policy.ClassCommand;
import io.vcpubal.host.policy.ClassConfig;
import io.vcpubal.host.policy.ClassPlan;
import io.vcpubal.host.policy.ClassPlanner;
import io.vcpubal.host.policy.VmClassPlan;
import io.vcpubal.host.policy.VmLoad;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The daemon's side of process policies: turns the VMs' class usage into a {@link ClassPlan} and says which
 * guests need their classes sent (desired differs from what the guest last acknowledged, or the class lease is due
 * for renewal). Runs under the daemon's lock; never does I/O.
 */
final class ClassPolicies {
    /** A command to send: to whom, what. */
    record Send(VmState vm, SetProcessClasses command) {}

    private final List<ClassConfig> classes;
    private final int leaseMs;
    private final int totalCpus;

    ClassPolicies(List<ClassConfig> classes, int leaseMs, int totalCpus) {
        this.classes = List.copyOf(classes);
        this.leaseMs = leaseMs;
        this.totalCpus = Math.max(1, totalCpus);
    }

    boolean enabled() {
        return !classes.isEmpty();
    }

    /** The operator's classes that exist in {@code vm}, in rule order. */
    List<ClassConfig> forVm(String vm) {
        return classes.stream().filter(c -> c.appliesTo(vm)).toList();
    }

    /** The plan for every VM with a process; a VM whose agent cannot carry out classes has none (all unmatched). */
    ClassPlan plan(Collection<VmState> vms) {
        List<VmLoad> loads = new ArrayList<>();
        for (VmState s : vms) {
            if (s.vcpus() == 0) {
                continue;
            }
            List<ClassConfig> mine = s.link != null && s.link.offersProcessClasses() ? forVm(s.config.name()) : List.of();
            loads.add(new VmLoad(s.config.name(), s.config.weight(), s.maxVcpus(), mine, s.classUsage.restCpus(),
                    s.classUsage.classCpus(), s.wantCpus, s.hostFactor,
                    s.classUsage.throttledClasses()));
        }
        return ClassPlanner.plan(loads, totalCpus);
    }

    /** The guests that need a SetProcessClasses now; marks them pending. */
    List<Send> due(Collection<VmState> vms, ClassPlan plan, long nowNanos) {
        List<Send> out = new ArrayList<>();
        for (VmState s : vms) {
            if (s.link == null || s.link.state() != AgentState.CONNECTED || !s.link.offersProcessClasses()) {
                s.classesAcked = null; // a guest that comes back gets its classes again
                continue;
            }
            VmClassPlan p = plan == null ? null : plan.vm(s.config.name());
            if (p == null || s.classesPending) {
                continue;
            }
            SetProcessClasses want = ClassCommand.of(p, leaseMs);
            boolean changed = !want.equals(s.classesAcked);
            boolean renew = want.getClassesCount() > 0 && nowNanos - s.classesSentNanos > leaseMs * 1_000_000L / 3;
            // an empty set is sent once (it ends the lease); none is needed for a guest that never had classes
            boolean needed = changed && (want.getClassesCount() > 0 || s.classesAcked != null);
            if (needed || renew) {
                s.classesPending = true;
                s.classesSentNanos = nowNanos;
                out.add(new Send(s, want));
            }
        }
        return out;
    }
}
