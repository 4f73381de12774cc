package io.vcpubal.guest.link;

import io.vcpubal.guest.apps.AppContention;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.lease.LeaseExpiry;
import io.vcpubal.guest.metrics.ContentionSignals;
import io.vcpubal.guest.metrics.CpuTicks;
import io.vcpubal.guest.metrics.ProcessCpu;
import io.vcpubal.guest.metrics.ProcessSampler;
import io.vcpubal.guest.metrics.ProcessTop;
import io.vcpubal.guest.metrics.SystemSample;
import io.vcpubal.guest.metrics.SystemSampler;
import io.vcpubal.guest.policy.ClassView;
import io.vcpubal.guest.balloon.CpuUsage;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import java.util.function.Supplier;
import io.vcpubal.protocol.v1.Contention;
import io.vcpubal.protocol.v1.CpuPressure;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.LeaseState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one round of samples into a GuestFacts report. Keeps the previous sample so that rates and the
 * top-N list cover exactly the last period. Not thread-safe: called from the report timer only.
 */
public final class FactsBuilder {
    /** Linux's USER_HZ on every architecture we run on. */
    static final int USER_HZ = 100;

    private final SystemSampler system;
    private final ProcessSampler processes;
    private final Supplier<CpuUsage> usage;
    private final BalloonLease lease;
    private final AppContention apps;
    private final ClassView classes;
    private final int periodMs;
    private final int processEvery;
    private int reportsSinceProcesses;
    private List<io.vcpubal.protocol.v1.ProcessCpu> lastProcesses = List.of();
    private SystemSample previous;
    private volatile long lastExpiryRealtimeMs;

    /**
     * @param processPeriodMs how often the process table is scanned (a multiple of {@code periodMs} is used):
     *     scanning every process and the threads of the top ones is most of a report's cost, and the host's
     *     process policies need it far less often than the per-CPU counters
     */
    public FactsBuilder(SystemSampler system, ProcessSampler processes, CpuSysfs sysfs, BalloonLease lease,
                        AppContention apps, int periodMs, int processPeriodMs) {
        this(system, processes, () -> new CpuUsage(sysfs.onlineNow(), CpuSet.empty()), lease, apps, periodMs,
                processPeriodMs);
    }

    /** @param usage online and fenced CPUs now ({@code VcpuBalloon::usage}) */
    public FactsBuilder(SystemSampler system, ProcessSampler processes, Supplier<CpuUsage> usage, BalloonLease lease,
                        AppContention apps, int periodMs, int processPeriodMs) {
        this(system, processes, usage, lease, apps, ClassView.NONE, periodMs, processPeriodMs);
    }

    /** @param classes the process classes in force (GuestFacts.classes, ProcessCpu.class_name) */
    public FactsBuilder(SystemSampler system, ProcessSampler processes, Supplier<CpuUsage> usage, BalloonLease lease,
                        AppContention apps, ClassView classes, int periodMs, int processPeriodMs) {
        this.classes = classes;
        this.system = system;
        this.processes = processes;
        this.usage = usage;
        this.lease = lease;
        this.apps = apps;
        this.periodMs = periodMs;
        this.processEvery = Math.max(1, processPeriodMs / periodMs);
        this.reportsSinceProcesses = processEvery; // scan on the first build (the baseline)
    }

    public GuestFacts build() {
        SystemSample now = system.sample();
        CpuUsage cpus = usage.get();
        GuestFacts.Builder f = GuestFacts.newBuilder()
                .setMonotonicNs(now.monotonicNanos())
                .setRealtimeMs(System.currentTimeMillis())
                .setPeriodMs(periodMs)
                .setUserHz(USER_HZ)
                .setOnlineCpus(cpus.online().toString())
                .setFencedCpus(cpus.fenced().toString());
        for (Map.Entry<Integer, CpuTicks> e : now.cpuTimes().perCpu().entrySet()) {
            CpuTicks t = e.getValue();
            f.addCpuTicks(io.vcpubal.protocol.v1.CpuTicks.newBuilder()
                    .setCpu(e.getKey()).setUserTicks(t.user()).setNiceTicks(t.nice()).setSystemTicks(t.system())
                    .setIdleTicks(t.idle()).setIowaitTicks(t.iowait()).setIrqTicks(t.irq())
                    .setSoftirqTicks(t.softirq()).setStealTicks(t.steal()).setGuestTicks(t.guest())
                    .setGuestNiceTicks(t.guestNice()));
        }
        if (now.pressure().available()) {
            CpuPressure.Builder p = CpuPressure.newBuilder();
            now.pressure().some().ifPresent(s -> p.setSomeAvg10(s.avg10()).setSomeAvg60(s.avg60())
                    .setSomeTotalUs(s.totalMicros()));
            now.pressure().full().ifPresent(s -> p.setFullAvg10(s.avg10()).setFullAvg60(s.avg60())
                    .setFullTotalUs(s.totalMicros()));
            f.setCpuPressure(p);
        }
        if (++reportsSinceProcesses >= processEvery) {
            reportsSinceProcesses = 0;
            lastProcesses = processList(processes.sample());
        }
        f.addAllProcesses(lastProcesses);
        // Every report, not every process scan: usage_us is what the host's class accounting differentiates.
        classes.states().stream().limit(io.vcpubal.protocol.Bounds.MAX_CLASSES).forEach(f::addClasses);
        if (f.getClassesCount() > 0) {
            f.setCgroupUsageUs(classes.totalUsageUs());
        }
        f.setContention(contention(now));
        f.setLease(leaseState());
        previous = now;
        return f.build();
    }

    private List<io.vcpubal.protocol.v1.ProcessCpu> processList(ProcessTop top) {
        if (top.baseline()) {
            return List.of();
        }
        List<io.vcpubal.protocol.v1.ProcessCpu> out = new ArrayList<>();
        for (ProcessCpu p : top.processes()) {
            out.add(io.vcpubal.protocol.v1.ProcessCpu.newBuilder()
                    .setPid(p.pid()).setName(p.name())
                    .setUserMs(p.userTicks() * 1000 / USER_HZ).setSystemMs(p.systemTicks() * 1000 / USER_HZ)
                    .setCpuMsLastPeriod(p.cpuDeltaTicks() * 1000 / USER_HZ)
                    .setOnCpuNs(p.schedstat().onCpuNanos()).setRunqueueWaitNs(p.schedstat().runqueueWaitNanos())
                    .setVoluntarySwitches(p.voluntaryCtxtSwitches())
                    .setInvoluntarySwitches(p.involuntaryCtxtSwitches())
                    .setClassName(classes.classOf(p.pid()).orElse(""))
                    .build());
        }
        return out;
    }

    private Contention.Builder contention(SystemSample now) {
        Contention.Builder c = Contention.newBuilder().setPsiSomeAvg10(-1);
        if (previous != null) {
            ContentionSignals s = ContentionSignals.between(previous, now);
            c.setStealShare(s.stealShare()).setSystemShare(s.systemShare());
            s.runqueueWait().ifPresent(w -> c.setRunqueueWaitMsPerS(w * 1000));
            s.psiSomeAvg10().ifPresent(c::setPsiSomeAvg10);
        } else {
            now.pressure().some().ifPresent(p -> c.setPsiSomeAvg10(p.avg10()));
        }
        now.lockStat().ifPresent(l -> c.setHasLockStat(true).setLockContentions(l.contentions())
                .setLockWaitTotalUs(l.waitTimeMicros()));
        long[] app = apps.drain();
        return c.setAppBlockedCount(app[0]).setAppBlockedMs(app[1]);
    }

    private LeaseState.Builder leaseState() {
        LeaseState.Builder l = LeaseState.newBuilder();
        lease.millisUntilExpiry().ifPresent(ms -> l.setActive(true).setRemainingMs((int) Math.min(Integer.MAX_VALUE, ms)));
        Optional<LeaseExpiry> expired = lease.takeUnreportedExpiry();
        if (expired.isPresent()) {
            long at = lastExpiryRealtimeMs;
            l.setExpiredRestoreRealtimeMs(at > 0 ? at : System.currentTimeMillis());
        }
        return l;
    }

    /** Called from the lease's expiry callback: the lease clock is monotonic, reports want wall time. */
    public void recordExpiry() {
        lastExpiryRealtimeMs = System.currentTimeMillis();
    }
}
