package io.vcpubal.host.policy;

import io.vcpubal.protocol.Bounds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The system-wide process policy, a pure function of the VMs' class loads and the pCPUs they share.
 *
 * <p><b>Proportional share.</b> Classes are weighted across VMs on one scale: a class has its shares, and the
 * unmatched processes of a VM are a class whose shares are the VM's weight. A VM's planning weight is the sum of
 * the shares of its active (high or normal) classes, so the VM planner divides pCPUs between VMs in proportion
 * to the classes that are busy in them (class {@code batch} in VM a with 1 and {@code web} in VM b with 3 give a
 * and b 1:3). Inside a guest the classes' groups get {@code cpu.weight = 100 × shares / VM weight} against the
 * rest of the guest (weight 100), so classes that share a VM divide its CPUs in the same proportion.
 *
 * <p><b>Idle-time.</b> A low class runs only on CPU no high or normal demand anywhere wants: its group is
 * {@code cpu.idle} (inside its guest it yields to everything at once, at the guest scheduler's speed), and its
 * {@code cpu.max} quota is its part (by shares among the active low classes) of the free CPU, T minus the active high and
 * normal demand of every VM, each busy class counted in whole CPUs up to what the host saw its VM want ({@link #wholeCpus}). With nothing else busy the quota is lifted; with everything busy it is the kernel's
 * smallest, 1 % of a CPU. It takes one report period for the host to see a high class wake and one round to send
 * the quota, which is the reaction latency (goal: 2 report periods). A low class does not add to its VM's
 * planning weight: a VM where only low work is busy is planned with weight 1.
 *
 * <p><b>Trust.</b> A guest's figures are clamped to its vCPU count and, when the host measured it, to what its
 * vCPU threads ran or waited to run: a guest cannot throttle others' low classes, or gain weight, by claiming
 * demand the host did not see.
 */
public final class ClassPlanner {
    /**
     * Below this use (host-true CPUs) a class or a VM's unmatched processes are idle: agents and daemons are not
     * demand. Judged on host-true CPU: under contention a guest counts the time its vCPUs wait on the host as its
     * processes' time, which would make a guest's idle daemons look busy exactly when CPU is scarce.
     */
    public static final double ACTIVE_CPUS = 0.2;
    /**
     * A VM's unmatched processes count as busy from half a CPU (host-true): they are everything the operator did
     * not name — agents, pollers, kernel threads — whose background use would otherwise add the VM's whole weight
     * beside its classes now and then, and flap the plan. Named classes count from {@link #ACTIVE_CPUS}.
     */
    public static final double REST_ACTIVE_CPUS = 0.5;

    private ClassPlanner() {}

    /** @param totalCpus the pCPUs the VMs share (the host's, minus reserved ones) */
    public static ClassPlan plan(List<VmLoad> vms, int totalCpus) {
        if (totalCpus < 1) {
            throw new IllegalArgumentException("total CPUs must be >= 1, got " + totalCpus);
        }
        // 1. Each VM's demand, clamped to what it can use and to what the host saw it want.
        Map<String, Map<String, Double>> demand = new HashMap<>();
        Map<String, Double> rest = new HashMap<>();
        Map<String, Double> factor = new HashMap<>();
        Map<String, Double> limits = new HashMap<>();
        for (VmLoad vm : vms) {
            Map<String, Double> d = new HashMap<>();
            double sum = clamp(vm.restCpus(), vm.maxVcpus());
            for (ClassConfig c : vm.classes()) {
                double x = clamp(vm.classCpus().getOrDefault(c.name(), 0.0), vm.maxVcpus());
                d.put(c.name(), x);
                sum += x;
            }
            double r = clamp(vm.restCpus(), vm.maxVcpus());
            double limit = Double.isNaN(vm.wantCpus()) ? vm.maxVcpus() : Math.min(vm.maxVcpus(), Math.max(0, vm.wantCpus()));
            if (sum > limit && sum > 0) {
                double f = limit / sum;
                d.replaceAll((k, v) -> v * f);
                r *= f;
            }
            demand.put(vm.vm(), d);
            rest.put(vm.vm(), r);
            limits.put(vm.vm(), Double.isNaN(vm.wantCpus()) ? 0 : limit); // unmeasured: use counts as reported
            double f = vm.hostFactor();
            factor.put(vm.vm(), f >= 0 && f <= 1 ? f : 1.0);
        }
        // 2. The CPU that active high and normal demand leaves free.
        double wanted = 0;
        long lowShares = 0;
        for (VmLoad vm : vms) {
            double f = factor.get(vm.vm());
            double r = rest.get(vm.vm());
            double v = r * f >= REST_ACTIVE_CPUS ? r : 0;
            for (ClassConfig c : vm.classes()) {
                double x = demand.get(vm.vm()).get(c.name());
                if (c.importance() == Importance.LOW) {
                    lowShares += x * f >= ACTIVE_CPUS || vm.throttled().contains(c.name()) ? c.shares() : 0;
                } else if (x * f >= ACTIVE_CPUS) {
                    v += Math.max(x, Math.min(wholeCpus(x), limits.get(vm.vm())));
                }
            }
            wanted += Math.min(v, vm.maxVcpus());
        }
        double free = Math.max(0, totalCpus - wanted);
        // 3. Per VM: planning weight and class settings.
        Map<String, VmClassPlan> out = new HashMap<>();
        for (VmLoad vm : vms) {
            double f = factor.get(vm.vm());
            long planning = rest.get(vm.vm()) * f >= REST_ACTIVE_CPUS ? vm.weight() : 0;
            boolean wantsAll = false;
            boolean lowActive = false;
            List<ClassSetting> settings = new ArrayList<>();
            for (ClassConfig c : vm.classes()) {
                boolean active = demand.get(vm.vm()).get(c.name()) * f >= ACTIVE_CPUS
                        // a low class held back by its quota wants more than it got: it stays busy
                        || c.importance() == Importance.LOW && vm.throttled().contains(c.name());
                if (c.importance() == Importance.LOW) {
                    lowActive |= active;
                    // active low classes split the free CPU by shares; an idle one may use all of it, so that
                    // it can show demand when it wakes (what it takes then is bounded by the others' quotas)
                    double cpus = active ? free * c.shares() / lowShares : free;
                    settings.add(new ClassSetting(c, 0, true, quotaUs(cpus, vm.maxVcpus()), active));
                    continue;
                }
                if (active) {
                    planning += c.shares();
                    wantsAll |= c.importance() == Importance.HIGH;
                }
                settings.add(new ClassSetting(c, cpuWeight(c.shares(), vm.weight()), false, 0, active));
            }
            if (planning == 0) {
                // nothing of weight is busy: an idle VM keeps its weight (demand-aware planning lends its share);
                // one busy only with low work rides on free CPU alone
                planning = lowActive ? 1 : vm.weight();
            }
            out.put(vm.vm(), new VmClassPlan(vm.vm(), planning, wantsAll, settings));
        }
        return new ClassPlan(out, free);
    }

    /** What a busy class's use is short of a whole CPU per runnable thread, and still counts as that CPU. */
    static final double WHOLE_CPU_SLACK = 0.25;

    /**
     * A busy high or normal class's demand in whole CPUs: each of its runnable threads wants a CPU, and what it
     * got is less exactly when something else (a low class's quota, its guest's agent, the host) took part of
     * that CPU. Counting the use as measured would hand that part to the low classes as free, which takes more
     * from the high class, which frees more: two threads at 1.85 CPUs must leave nothing free, one thread at 0.9
     * leaves the other CPU. Use within {@link #WHOLE_CPU_SLACK} of the next whole CPU counts as that CPU, but
     * never as more than the host saw the VM's vCPU threads run or wait to run (the trust rule above).
     */
    static double wholeCpus(double used) {
        return Math.max(used, Math.ceil(used - WHOLE_CPU_SLACK));
    }

    /** cpu.weight of a class against its guest's unmatched processes (weight 100 ≙ the VM's weight). */
    static int cpuWeight(long shares, long vmWeight) {
        long w = Math.round(100.0 * shares / vmWeight);
        return (int) Math.max(Bounds.MIN_CPU_WEIGHT, Math.min(Bounds.MAX_CPU_WEIGHT, w));
    }

    /** Quotas move in steps of 5 % of a CPU: finer changes are noise in the demand, not worth a command. */
    static final int QUOTA_STEP_US = Bounds.CPU_MAX_PERIOD_US / 20;

    /** cpu.max quota per period for {@code cpus}; 0 (no limit) when it covers every vCPU of the VM. */
    static int quotaUs(double cpus, int maxVcpus) {
        if (cpus >= maxVcpus) {
            return 0;
        }
        long q = Math.round(cpus * Bounds.CPU_MAX_PERIOD_US / QUOTA_STEP_US) * QUOTA_STEP_US;
        return (int) Math.max(Bounds.MIN_QUOTA_US, q);
    }

    private static double clamp(double cpus, int max) {
        return !(cpus > 0) ? 0 : Math.min(cpus, max);
    }
}
