package io.vcpubal.host.policy;

import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * What each process class of one VM uses, and its unmatched processes, from consecutive facts reports (guest
 * view): a class's CPUs are the growth of its group's {@code usage_usec} over the report interval, the unmatched
 * processes' the growth of the cgroup root's {@code usage_usec} (of the busy ticks, from a guest that does not
 * send it) minus the classes'. Every figure is clamped to the VM's vCPUs (a guest
 * cannot report more than it can run).
 *
 * <p>Hysteresis: the figures handed to the planner are the highest of the last {@link #HOLD_MS}, so a class that
 * wakes counts at its first report and one that goes quiet is released {@code HOLD_MS} later: a class that
 * pauses for less (a GC, a barrier) does not make plans change, and plans change at most once per hold.
 */
public final class ClassUsageMeter {
    public static final long HOLD_MS = 3_000;
    /** Longer gaps between reports restart the interval: a rate over them says nothing about now. */
    private static final double MAX_INTERVAL_S = 60;

    private record Sample(long atMs, double rest, Map<String, Double> classes, java.util.Set<String> throttled) {}

    private final Deque<Sample> recent = new ArrayDeque<>();
    private GuestFacts previous;

    /** Takes one report; {@code nowMs} is the host's clock. */
    public void offer(GuestFacts facts, long nowMs, int maxVcpus) {
        GuestFacts prev = previous;
        previous = facts;
        while (!recent.isEmpty() && recent.peekFirst().atMs() < nowMs - HOLD_MS) {
            recent.removeFirst();
        }
        if (prev == null) {
            return;
        }
        double dt = (facts.getMonotonicNs() - prev.getMonotonicNs()) / 1e9;
        if (!(dt > 0) || dt > MAX_INTERVAL_S) {
            return;
        }
        Map<String, Long> before = new HashMap<>();
        Map<String, Long> throttledBefore = new HashMap<>();
        for (ClassState c : prev.getClassesList()) {
            before.put(c.getName(), c.getUsageUs());
            throttledBefore.put(c.getName(), c.getThrottledUs());
        }
        java.util.Set<String> throttled = new java.util.HashSet<>();
        Map<String, Double> classes = new HashMap<>();
        double classSum = 0;
        for (ClassState c : facts.getClassesList()) {
            Long b = before.get(c.getName());
            if (b == null || c.getUsageUs() < b) {
                continue; // new group, or made again (agent restart): no rate yet
            }
            double cpus = clamp((c.getUsageUs() - b) / 1e6 / dt, maxVcpus);
            classes.put(c.getName(), cpus);
            if (c.getThrottledUs() > throttledBefore.getOrDefault(c.getName(), Long.MAX_VALUE)) {
                throttled.add(c.getName());
            }
            classSum += cpus;
        }
        // the cgroup root's usage is precise; tick counts charge whole ticks, which a throttled class misleads
        boolean precise = facts.getCgroupUsageUs() > 0 && prev.getCgroupUsageUs() > 0
                && facts.getCgroupUsageUs() >= prev.getCgroupUsageUs();
        double busy = clamp(precise ? (facts.getCgroupUsageUs() - prev.getCgroupUsageUs()) / 1e6 / dt
                : busyTicks(facts, prev) / Math.max(1, facts.getUserHz()) / dt, maxVcpus);
        recent.addLast(new Sample(nowMs, Math.max(0, busy - classSum), classes, throttled));
    }

    /** CPUs the VM's unmatched processes used, highest of the hold. */
    public double restCpus() {
        return recent.stream().mapToDouble(Sample::rest).max().orElse(0);
    }

    /** CPUs each class used, highest of the hold. */
    public Map<String, Double> classCpus() {
        Map<String, Double> out = new HashMap<>();
        for (Sample s : recent) {
            s.classes().forEach((k, v) -> out.merge(k, v, Math::max));
        }
        return out;
    }

    /** Classes whose quota the guest's kernel enforced within the hold: they want more than they got. */
    public java.util.Set<String> throttledClasses() {
        java.util.Set<String> out = new java.util.HashSet<>();
        recent.forEach(s -> out.addAll(s.throttled()));
        return out;
    }

    /** The latest interval's figures (not held), for reports. */
    public Map<String, Double> latestClassCpus() {
        return recent.isEmpty() ? Map.of() : recent.peekLast().classes();
    }

    /** Busy (not idle, iowait or steal) ticks between two reports, CPUs matched by number. */
    private static double busyTicks(GuestFacts now, GuestFacts before) {
        Map<Integer, CpuTicks> b = new HashMap<>();
        for (CpuTicks t : before.getCpuTicksList()) {
            b.put(t.getCpu(), t);
        }
        double sum = 0;
        for (CpuTicks t : now.getCpuTicksList()) {
            CpuTicks p = b.get(t.getCpu());
            if (p != null) {
                long d = busy(t) - busy(p);
                sum += Math.max(0, d);
            }
        }
        return sum;
    }

    private static long busy(CpuTicks t) {
        return t.getUserTicks() + t.getNiceTicks() + t.getSystemTicks() + t.getIrqTicks() + t.getSoftirqTicks();
    }

    private static double clamp(double cpus, int max) {
        return !(cpus > 0) ? 0 : Math.min(cpus, max);
    }
}
