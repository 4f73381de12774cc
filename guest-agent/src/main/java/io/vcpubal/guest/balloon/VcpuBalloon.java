package io.vcpubal.guest.balloon;

import io.vcpubal.guest.balloon.BalloonResult.Status;
import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuState;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VCPU-Bal balloon: takes guest CPUs out of use and back, by hotplug (sysfs {@code online}) or by
 * fence ({@link CpuFence}: online but confined away).
 *
 * <p>Each operation reads every CPU's state and the fence, plans with {@link BalloonPlanner} on the usable
 * CPUs (online and not fenced; refusing before any write, with the same cpu0, floor and protected rules in
 * both modes), writes only where the state differs (each write verified by a re-read), then sets the fence,
 * and on the first failed write puts every touched CPU and the fence back to their previous state. The
 * answer is always a {@link BalloonResult} with the full online and fenced sets read afterwards.
 *
 * <p>Hotplug mode offlines every online CPU outside the target, fenced or not; fence mode onlines a target
 * CPU that is offline (through sysfs: there is no faster way in) and fences every online CPU outside it.
 *
 * <p>Agent code should go through {@code io.vcpubal.guest.lease.BalloonLease}, which arms the lease that a
 * shrink carries; this class only checks that one was given. Thread-safe: operations are serialised.
 */
public final class VcpuBalloon {
    private static final Logger LOG = LoggerFactory.getLogger(VcpuBalloon.class);

    private final CpuSysfs sysfs;
    private final CpuFence fence;
    private final BalloonPolicy policy;
    private final LongSupplier nanoTime;
    /** Set by {@link #restoreAllAndStop()}: a request that raced the shutdown must not shrink the guest again. */
    private boolean stopped;

    /** A hotplug-only balloon. */
    public VcpuBalloon(CpuSysfs sysfs, BalloonPolicy policy) {
        this(sysfs, policy, System::nanoTime);
    }

    /** A hotplug-only balloon; {@code nanoTime} is a monotonic clock for {@link BalloonResult#elapsedMicros()}. */
    public VcpuBalloon(CpuSysfs sysfs, BalloonPolicy policy, LongSupplier nanoTime) {
        this(sysfs, CpuFence.unavailable("the agent was started without a fence"), policy, nanoTime);
    }

    public VcpuBalloon(CpuSysfs sysfs, CpuFence fence, BalloonPolicy policy, LongSupplier nanoTime) {
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs");
        this.fence = Objects.requireNonNull(fence, "fence");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    public BalloonPolicy policy() {
        return policy;
    }

    /** The modes this guest can carry out. */
    public Set<BalloonMode> modes() {
        return fence.unavailable().isPresent() ? EnumSet.of(BalloonMode.HOTPLUG) : EnumSet.allOf(BalloonMode.class);
    }

    /** Online and fenced CPUs now; the fence reads as empty when it cannot be read (logged by the caller). */
    public CpuUsage usage() {
        CpuSet online = sysfs.onlineNow();
        try {
            return new CpuUsage(online, fence.fenced(online));
        } catch (IOException e) {
            return new CpuUsage(online, CpuSet.empty());
        }
    }

    /** Carries out "set online vCPUs"; never throws for a bad request or a failed write. */
    public synchronized BalloonResult apply(BalloonRequest request) {
        long start = nanoTime.getAsLong();
        List<CpuState> states;
        CpuSet fenced;
        try {
            states = sysfs.readAll();
            fenced = fence.fenced(onlineOf(states));
        } catch (IOException e) {
            return unreadable(start, e);
        }
        long readAt = stamp();
        CpuSet online = onlineOf(states);
        List<CpuState> usable = usable(states, fenced);
        if (stopped) {
            return refused(request, "the agent is stopping", online, fenced, usable, start);
        }
        if (request.mode() == BalloonMode.FENCE && fence.unavailable().isPresent()) {
            return refused(request, "fence mode is not available in this guest: " + fence.unavailable().get(),
                    online, fenced, usable, start);
        }
        BalloonPlan plan;
        try {
            plan = BalloonPlanner.plan(usable, policy, request);
        } catch (BalloonRefusal refusal) {
            return refused(request, refusal.getMessage(), online, fenced, usable, start);
        }
        return execute(plan, request.mode(), states, online, fenced, true, start, readAt, stamp());
    }

    /**
     * Brings every CPU that is not protected online and unfences, best effort (a failure on one CPU does not
     * stop the others and nothing is rolled back). Used when a lease expires, on start-up and on shutdown.
     */
    public synchronized BalloonResult restoreAll() {
        long start = nanoTime.getAsLong();
        List<CpuState> states;
        try {
            states = sysfs.readAll();
        } catch (IOException e) {
            return unreadable(start, e);
        }
        CpuSet online = onlineOf(states);
        CpuSet fenced;
        try {
            fenced = fence.fenced(online);
        } catch (IOException e) {
            fenced = online; // unreadable: make sure the unfence below is written
        }
        long readAt = stamp();
        BalloonPlan plan = BalloonPlanner.restoreAll(usable(states, fenced), policy);
        return execute(plan, BalloonMode.FENCE, states, online, fenced, false, start, readAt, stamp());
    }

    /** {@link #restoreAll()}, after which every {@link #apply} is refused: the agent's last word on shutdown. */
    public synchronized BalloonResult restoreAllAndStop() {
        stopped = true;
        return restoreAll();
    }

    private BalloonResult refused(BalloonRequest request, String why, CpuSet online, CpuSet fenced,
                                  List<CpuState> usable, long start) {
        return new BalloonResult(Status.REFUSED, "refused " + request.target() + ": " + why, online.minus(fenced),
                online, fenced, BalloonPlanner.restoreAll(usable, policy).toOnline(), BalloonResult.noErrors(),
                micros(start));
    }

    private BalloonResult execute(BalloonPlan plan, BalloonMode mode, List<CpuState> states, CpuSet online, CpuSet fenced,
                                  boolean rollBackOnFailure, long start, long readAt, long plannedAt) {
        CpuSet target = plan.target();
        CpuSet toOnline = target.minus(online);
        CpuSet toOffline = mode == BalloonMode.HOTPLUG ? online.minus(target) : CpuSet.empty();
        List<Integer> touched = new ArrayList<>();
        TreeMap<Integer, String> errors = new TreeMap<>();
        String failure = null;
        String fenceTiming = "";
        for (int[] step : steps(toOnline, toOffline)) {
            int cpu = step[0];
            boolean up = step[1] == 1;
            touched.add(cpu);
            try {
                sysfs.setOnline(cpu, up);
            } catch (IOException e) {
                String error = Errno.describe(e);
                errors.put(cpu, error);
                if (failure == null) {
                    failure = (up ? "onlining" : "offlining") + " cpu" + cpu + " failed (" + error + ")";
                }
                if (rollBackOnFailure) {
                    break;
                }
            }
        }
        long writtenAt = stamp();
        if (failure == null || !rollBackOnFailure) {
            CpuSet nowOnline = online.union(toOnline).minus(toOffline);
            CpuSet wantedFence = nowOnline.minus(target);
            try {
                // Re-read after hotplug: a CPU onlined outside a narrow cpuset is fenced without a write.
                CpuSet fencedNow = touched.isEmpty() ? fenced : fence.fenced(nowOnline);
                if (!wantedFence.equals(fencedNow)) {
                    fenceTiming = "; fence " + fence.set(wantedFence, nowOnline).timing();
                }
            } catch (IOException e) {
                String error = Errno.describe(e);
                CpuSet changed = wantedFence.minus(fenced).union(fenced.minus(wantedFence));
                (changed.isEmpty() ? nowOnline : changed).forEach(cpu -> errors.put(cpu, "fence: " + error));
                failure = (failure == null ? "" : failure + "; ") + "fencing " + wantedFence + " failed (" + error + ")";
            }
        }
        if (failure != null && rollBackOnFailure) {
            rollBack(online, touched, errors);
            try {
                fence.set(fenced, online);
            } catch (IOException e) {
                errors.put(fenced.isEmpty() ? online.first() : fenced.first(), "rollback: fence: " + Errno.describe(e));
            }
        }

        long fencedAt = stamp();
        List<CpuState> after;
        CpuSet fencedAfter;
        try {
            // Nothing hotplugged: the states read before still hold (a fence change is then one cpuset write).
            after = touched.isEmpty() ? states : sysfs.readAll();
            fencedAfter = fence.fenced(onlineOf(after));
        } catch (IOException e) {
            // Fall back on the kernel's summary file; the per-CPU files are what failed.
            CpuSet nowOnline = sysfs.online().orElse(CpuSet.empty());
            return new BalloonResult(Status.FAILED, (failure == null ? "" : failure + "; ")
                    + "cannot re-read CPU state: " + Errno.describe(e), plan.before(), nowOnline, CpuSet.empty(),
                    CpuSet.empty(), errors, micros(start));
        }
        long rereadAt = stamp();
        CpuSet onlineAfter = onlineOf(after);
        CpuSet usable = onlineAfter.minus(fencedAfter);
        CpuSet restorable = BalloonPlanner.restoreAll(usable(after, fencedAfter), policy).toOnline();
        Status status;
        String message;
        String state = (fencedAfter.isEmpty() ? "online " : "usable ") + usable;
        if (failure == null) {
            status = Status.APPLIED;
            message = usable.equals(plan.before()) && fencedAfter.equals(fenced) && onlineAfter.equals(online)
                    ? "unchanged, " + state
                    : state + " (was " + plan.before() + ")" + (fencedAfter.isEmpty() ? "" : ", fenced " + fencedAfter)
                    + fenceTiming;
        } else if (rollBackOnFailure && usable.equals(plan.before())) {
            status = Status.ROLLED_BACK;
            message = failure + "; rolled back to " + usable + (fencedAfter.isEmpty() ? "" : " usable, fenced " + fencedAfter);
        } else {
            status = Status.FAILED;
            message = failure + (rollBackOnFailure ? "; rollback incomplete" : "") + ", online now " + onlineAfter
                    + (fencedAfter.isEmpty() ? "" : ", fenced " + fencedAfter);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("balloon phases: read {} us, plan {} us, hotplug {} us, fence {} us, re-read {} us, answer {} us",
                    (readAt - start) / 1000, (plannedAt - readAt) / 1000, (writtenAt - plannedAt) / 1000,
                    (fencedAt - writtenAt) / 1000, (rereadAt - fencedAt) / 1000, (stamp() - rereadAt) / 1000);
        }
        return new BalloonResult(status, message, plan.before(), onlineAfter, fencedAfter, restorable, errors,
                micros(start));
    }

    /** A phase time stamp for the debug log; free (and off the injected clock) when debug is off. */
    private long stamp() {
        return LOG.isDebugEnabled() ? nanoTime.getAsLong() : 0;
    }

    /** Puts every touched CPU back to its state in {@code before}, most recent first. */
    private void rollBack(CpuSet before, List<Integer> touched, TreeMap<Integer, String> errors) {
        for (int i = touched.size() - 1; i >= 0; i--) {
            int cpu = touched.get(i);
            try {
                sysfs.setOnline(cpu, before.contains(cpu));
            } catch (IOException e) {
                errors.merge(cpu, "rollback: " + Errno.describe(e), (first, second) -> first + "; " + second);
            }
        }
    }

    /** Onlines ascending, then offlines descending; each step is {cpu, 1 = online / 0 = offline}. */
    private static List<int[]> steps(CpuSet toOnline, CpuSet toOffline) {
        List<int[]> steps = new ArrayList<>();
        toOnline.stream().forEach(cpu -> steps.add(new int[] {cpu, 1}));
        int[] offline = toOffline.toArray();
        for (int i = offline.length - 1; i >= 0; i--) {
            steps.add(new int[] {offline[i], 0});
        }
        return steps;
    }

    private BalloonResult unreadable(long start, IOException e) {
        CpuSet online = sysfs.online().orElse(CpuSet.empty());
        return new BalloonResult(Status.FAILED, "cannot read CPU state: " + Errno.describe(e), online, online,
                CpuSet.empty(), CpuSet.empty(), BalloonResult.noErrors(), micros(start));
    }

    /** The states the planner sees: a fenced CPU counts as offline (it is out of use either way). */
    private static List<CpuState> usable(List<CpuState> states, CpuSet fenced) {
        if (fenced.isEmpty()) {
            return states;
        }
        return states.stream().map(c -> fenced.contains(c.cpu()) ? new CpuState(c.cpu(), false, c.offlinable()) : c)
                .toList();
    }

    private static CpuSet onlineOf(List<CpuState> states) {
        return CpuSet.of(states.stream().filter(CpuState::online).mapToInt(CpuState::cpu).toArray());
    }

    private long micros(long start) {
        return Math.max(0, (nanoTime.getAsLong() - start) / 1_000);
    }
}
