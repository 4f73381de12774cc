package io.vcpubal.guest.balloon;

import io.vcpubal.guest.balloon.BalloonResult.Status;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuState;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The VCPU-Bal balloon: brings guest CPUs online and offline through sysfs.
 *
 * <p>Each operation reads every CPU's state, plans with {@link BalloonPlanner} (refusing before any write),
 * writes only where the state differs (each write verified by a re-read), and on the first failed write
 * puts every touched CPU back to its previous state. The answer is always a {@link BalloonResult} with
 * the full online set read afterwards.
 *
 * <p>Agent code should go through {@code io.vcpubal.guest.lease.BalloonLease}, which arms the lease that a
 * shrink carries; this class only checks that one was given. Thread-safe: operations are serialised.
 */
public final class VcpuBalloon {

    private final CpuSysfs sysfs;
    private final BalloonPolicy policy;
    private final LongSupplier nanoTime;

    public VcpuBalloon(CpuSysfs sysfs, BalloonPolicy policy) {
        this(sysfs, policy, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds, for {@link BalloonResult#elapsedMicros()} */
    public VcpuBalloon(CpuSysfs sysfs, BalloonPolicy policy, LongSupplier nanoTime) {
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    public BalloonPolicy policy() {
        return policy;
    }

    /** Carries out "set online vCPUs"; never throws for a bad request or a failed write. */
    public synchronized BalloonResult apply(BalloonRequest request) {
        long start = nanoTime.getAsLong();
        List<CpuState> states;
        try {
            states = sysfs.readAll();
        } catch (IOException e) {
            return unreadable(start, e);
        }
        BalloonPlan plan;
        try {
            plan = BalloonPlanner.plan(states, policy, request);
        } catch (BalloonRefusal refusal) {
            CpuSet online = onlineOf(states);
            return new BalloonResult(Status.REFUSED, "refused " + request.target() + ": " + refusal.getMessage(),
                    online, online, BalloonPlanner.restoreAll(states, policy).toOnline(), BalloonResult.noErrors(),
                    micros(start));
        }
        return execute(plan, true, start);
    }

    /**
     * Brings every CPU that is not protected online, best effort (a failure on one CPU does not stop the
     * others and nothing is rolled back). Used when a lease expires and on shutdown.
     */
    public synchronized BalloonResult restoreAll() {
        long start = nanoTime.getAsLong();
        List<CpuState> states;
        try {
            states = sysfs.readAll();
        } catch (IOException e) {
            return unreadable(start, e);
        }
        return execute(BalloonPlanner.restoreAll(states, policy), false, start);
    }

    private BalloonResult execute(BalloonPlan plan, boolean rollBackOnFailure, long start) {
        List<Integer> touched = new ArrayList<>();
        TreeMap<Integer, String> errors = new TreeMap<>();
        String failure = null;
        for (int[] step : steps(plan)) {
            int cpu = step[0];
            boolean online = step[1] == 1;
            touched.add(cpu);
            try {
                sysfs.setOnline(cpu, online);
            } catch (IOException e) {
                String error = Errno.describe(e);
                errors.put(cpu, error);
                if (failure == null) {
                    failure = (online ? "onlining" : "offlining") + " cpu" + cpu + " failed (" + error + ")";
                }
                if (rollBackOnFailure) {
                    break;
                }
            }
        }
        if (failure != null && rollBackOnFailure) {
            rollBack(plan.before(), touched, errors);
        }

        List<CpuState> after;
        try {
            after = sysfs.readAll();
        } catch (IOException e) {
            // Fall back on the kernel's summary file; the per-CPU files are what failed.
            CpuSet online = sysfs.online().orElse(CpuSet.empty());
            return new BalloonResult(Status.FAILED, (failure == null ? "" : failure + "; ")
                    + "cannot re-read CPU state: " + Errno.describe(e), plan.before(), online, CpuSet.empty(), errors,
                    micros(start));
        }
        CpuSet online = onlineOf(after);
        CpuSet restorable = BalloonPlanner.restoreAll(after, policy).toOnline();
        Status status;
        String message;
        if (failure == null) {
            status = Status.APPLIED;
            message = online.equals(plan.before()) ? "unchanged, online " + online
                    : "online " + online + " (was " + plan.before() + ")";
        } else if (rollBackOnFailure && online.equals(plan.before())) {
            status = Status.ROLLED_BACK;
            message = failure + "; rolled back to " + online;
        } else {
            status = Status.FAILED;
            message = failure + (rollBackOnFailure ? "; rollback incomplete" : "") + ", online now " + online;
        }
        return new BalloonResult(status, message, plan.before(), online, restorable, errors, micros(start));
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
    private static List<int[]> steps(BalloonPlan plan) {
        List<int[]> steps = new ArrayList<>();
        plan.toOnline().stream().forEach(cpu -> steps.add(new int[] {cpu, 1}));
        int[] offline = plan.toOffline().toArray();
        for (int i = offline.length - 1; i >= 0; i--) {
            steps.add(new int[] {offline[i], 0});
        }
        return steps;
    }

    private BalloonResult unreadable(long start, IOException e) {
        CpuSet online = sysfs.online().orElse(CpuSet.empty());
        return new BalloonResult(Status.FAILED, "cannot read CPU state: " + Errno.describe(e), online, online,
                CpuSet.empty(), BalloonResult.noErrors(), micros(start));
    }

    private static CpuSet onlineOf(List<CpuState> states) {
        return CpuSet.of(states.stream().filter(CpuState::online).mapToInt(CpuState::cpu).toArray());
    }

    private long micros(long start) {
        return Math.max(0, (nanoTime.getAsLong() - start) / 1_000);
    }
}
