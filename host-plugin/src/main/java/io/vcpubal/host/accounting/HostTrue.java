package io.vcpubal.host.accounting;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: how much of what a guest counts as CPU time its vCPUs really ran on the host.
 *
 * <p>A guest charges the running process for every tick its vCPU spends "running", including time the host
 * had descheduled the vCPU thread (unless the guest accounts steal, which only covers part of it). Over one
 * interval the host knows what its vCPU threads ran (schedstat), so
 *
 * <pre>
 *   factor    = clamp(Δ host vCPU run ns / Δ guest busy ns, 0, 1)
 *   host-true = guest-view × factor           (for a process or a class of that VM)
 *   want      = Δ(host run + run-queue wait ns) / Δ host ns     (CPUs the VM's vCPUs wanted)
 * </pre>
 *
 * Guest busy counts user, nice, system, irq and softirq ticks (not idle, iowait or steal) of the CPUs that
 * ticked in both reports. Every figure is unknown (empty, or -1 in an {@link Interval}) rather than wrong when
 * a counter went backwards (guest reboot, agent or QEMU restart: the caller starts a new interval), when the
 * interval is not positive, or when a side is missing.
 */
public final class HostTrue {
    /** USER_HZ outside this is a lie or a bug; Linux uses 100 (a few architectures 1024). */
    static final int MAX_USER_HZ = 10_000;

    private HostTrue() {}

    /** What the host saw of a VM's vCPU threads over one interval. */
    public record HostDelta(long runNs, long waitNs, long elapsedNs, int threads) {}

    /**
     * Figures of one interval; -1 = unknown.
     *
     * @param guestBusyCpus guest busy time over the interval, in CPUs
     * @param hostRunCpus   host vCPU thread run time over the interval, in CPUs
     */
    public record Interval(long elapsedNs, double guestBusyCpus, double hostRunCpus, double factor, double wantCpus) {
        public boolean hasFactor() {
            return factor >= 0;
        }
    }

    /**
     * Host run and wait between two samples of the same QEMU process, over the threads sampled both times (a
     * vCPU thread that appeared or could not be read counts in neither). Empty when the process changed, the
     * interval is not positive, no thread is in both, or a thread's counter went backwards.
     */
    public static Optional<HostDelta> hostDelta(HostVcpuSample before, HostVcpuSample after) {
        if (before == null || after == null || before.pid() != after.pid()
                || before.startTicks() != after.startTicks()) {
            return Optional.empty();
        }
        long elapsed = after.atNanos() - before.atNanos();
        if (elapsed <= 0) {
            return Optional.empty();
        }
        long run = 0;
        long wait = 0;
        int threads = 0;
        for (Map.Entry<Integer, TaskSchedstat> e : after.threads().entrySet()) {
            TaskSchedstat then = before.threads().get(e.getKey());
            if (then == null) {
                continue;
            }
            long dr = e.getValue().runNs() - then.runNs();
            long dw = e.getValue().waitNs() - then.waitNs();
            if (dr < 0 || dw < 0) {
                return Optional.empty(); // a reused tid: another thread's counters
            }
            // a thread runs, waits or sleeps: together no longer than the interval (schedstat and nanoTime
            // differ in their edges)
            long r = Math.min(dr, elapsed);
            run += r;
            wait += Math.min(dw, elapsed - r);
            threads++;
        }
        return threads == 0 ? Optional.empty() : Optional.of(new HostDelta(run, wait, elapsed, threads));
    }

    /**
     * Guest busy nanoseconds between two reports, over the CPUs that ticked in both. Empty when the guest clock
     * did not go forward (a reboot restarts it), USER_HZ is missing or absurd, no CPU is in both reports, or a
     * CPU's busy ticks went backwards. Each CPU's busy time is capped at the guest's elapsed time, so a guest
     * inflating its ticks reaches "every CPU fully busy" and no more.
     */
    public static Optional<Double> guestBusyNs(GuestFacts before, GuestFacts after) {
        long elapsed = after.getMonotonicNs() - before.getMonotonicNs();
        int hz = after.getUserHz();
        if (elapsed <= 0 || hz <= 0 || hz > MAX_USER_HZ || hz != before.getUserHz()) {
            return Optional.empty();
        }
        Map<Integer, CpuTicks> earlier = byCpu(before);
        double nsPerTick = 1e9 / hz;
        double busy = 0;
        int cpus = 0;
        for (CpuTicks now : byCpu(after).values()) {
            CpuTicks then = earlier.get(now.getCpu());
            if (then == null) {
                continue;
            }
            long d = busyTicks(now) - busyTicks(then);
            if (d < 0) {
                return Optional.empty();
            }
            busy += Math.min(d * nsPerTick, elapsed);
            cpus++;
        }
        return cpus == 0 ? Optional.empty() : Optional.of(busy);
    }

    /**
     * Δ host run / Δ guest busy (both ns, or both CPUs), clamped to [0, 1]. Above 1 the guest says it was busy
     * for less time than the host ran its vCPUs: a vCPU can run on the host while the guest is idle (halt
     * polling, the idle loop before it halts, interrupt work the guest counts as idle), or the guest lies.
     * Neither means a process got more than the guest charged it, so the guest's figure stands (factor 1): a
     * lying guest can only make its own figures smaller, never claim more than it ran. A guest that was never
     * busy has nothing to scale (1).
     */
    public static double factor(double hostRun, double guestBusy) {
        if (!(guestBusy > 0)) {
            return 1;
        }
        if (!(hostRun > 0)) {
            return 0;
        }
        return Math.min(1, hostRun / guestBusy);
    }

    /** CPUs the vCPU threads wanted: ran or waited for a pCPU, per unit of host time; at most one per thread. */
    public static double wantCpus(HostDelta d) {
        double want = (double) (d.runNs() + d.waitNs()) / d.elapsedNs();
        return Math.max(0, Math.min(d.threads(), want));
    }

    /**
     * The figures between two (guest report, host sample) points of one VM; empty when the guest side is not
     * usable (clock not forward). A missing or restarted host side leaves factor, host run and want unknown.
     */
    public static Optional<Interval> between(GuestFacts guestBefore, HostVcpuSample hostBefore, GuestFacts guestAfter,
                                             HostVcpuSample hostAfter) {
        long elapsed = guestAfter.getMonotonicNs() - guestBefore.getMonotonicNs();
        if (elapsed <= 0) {
            return Optional.empty();
        }
        Optional<Double> busy = guestBusyNs(guestBefore, guestAfter);
        Optional<HostDelta> host = hostDelta(hostBefore, hostAfter);
        double busyCpus = busy.map(b -> b / elapsed).orElse(-1.0);
        double runCpus = host.map(h -> (double) h.runNs() / h.elapsedNs()).orElse(-1.0);
        // rates, not raw ns: the guest's and the host's clocks bound slightly different spans of time
        double factor = busy.isPresent() && host.isPresent() ? factor(runCpus, busyCpus) : -1;
        double want = host.map(HostTrue::wantCpus).orElse(-1.0);
        return Optional.of(new Interval(elapsed, busyCpus, runCpus, factor, want));
    }

    /** {@code guestView × factor}; unknown (-1) when either is. */
    public static double hostTrue(double guestView, double factor) {
        return guestView < 0 || factor < 0 ? -1 : guestView * factor;
    }

    /** Busy ticks: guest and guest_nice are already inside user and nice; steal is the host's, not the guest's. */
    static long busyTicks(CpuTicks t) {
        return t.getUserTicks() + t.getNiceTicks() + t.getSystemTicks() + t.getIrqTicks() + t.getSoftirqTicks();
    }

    /** One entry per CPU number (a guest repeating a CPU gets its first), at most {@link Bounds#MAX_CPU} + 1. */
    private static Map<Integer, CpuTicks> byCpu(GuestFacts f) {
        Map<Integer, CpuTicks> out = new HashMap<>();
        for (CpuTicks t : f.getCpuTicksList()) {
            if (t.getCpu() <= Bounds.MAX_CPU) {
                out.putIfAbsent(t.getCpu(), t);
            }
        }
        return out;
    }
}
