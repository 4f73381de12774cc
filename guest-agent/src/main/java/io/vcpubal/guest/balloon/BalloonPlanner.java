package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuState;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides which CPUs to online and offline for a request. Pure: state in, plan or refusal out, no I/O.
 *
 * <p>Rules, all checked before anything is written:
 * <ul>
 *   <li>cpu0 and CPUs without an {@code online} file are never offlined;</li>
 *   <li>protected CPUs are never changed, in either direction;</li>
 *   <li>the online count never goes below the policy's floor;</li>
 *   <li>a result that leaves restorable CPUs offline needs a lease of {@link BalloonPolicy#MIN_LEASE_MILLIS}
 *       up to the policy's maximum; a lease is ignored when nothing is left to restore.</li>
 * </ul>
 */
public final class BalloonPlanner {

    private BalloonPlanner() {
    }

    /**
     * Plans a request against the current CPU states.
     *
     * @param cpus every CPU of the guest (as listed in sysfs), ascending
     * @throws BalloonRefusal with a message an operator can act on
     */
    public static BalloonPlan plan(List<CpuState> cpus, BalloonPolicy policy, BalloonRequest request)
            throws BalloonRefusal {
        long lease = request.leaseMillis();
        if (lease < 0 || lease > policy.maxLeaseMillis()) {
            throw new BalloonRefusal("lease of " + lease + " ms is outside 0-" + policy.maxLeaseMillis() + " ms");
        }
        BalloonPlan plan;
        if (request.target() instanceof BalloonRequest.Count) {
            plan = planCount(cpus, policy, ((BalloonRequest.Count) request.target()).count());
        } else {
            plan = planSet(cpus, policy, ((BalloonRequest.Cpus) request.target()).cpus());
        }
        if (!plan.restorable().isEmpty() && lease < BalloonPolicy.MIN_LEASE_MILLIS) {
            throw new BalloonRefusal("leaving " + name(plan.restorable()) + " offline needs a lease of at least "
                    + BalloonPolicy.MIN_LEASE_MILLIS + " ms" + (lease == 0 ? "" : ", got " + lease + " ms"));
        }
        return plan;
    }

    /** Every CPU that is not protected goes online; used when a lease expires and on shutdown. */
    public static BalloonPlan restoreAll(List<CpuState> cpus, BalloonPolicy policy) {
        CpuSet online = online(cpus);
        CpuSet toOnline = all(cpus).minus(online).minus(policy.protectedCpus());
        CpuSet target = online.union(toOnline);
        return new BalloonPlan(online, target, toOnline, CpuSet.empty(), restorable(cpus, policy, target));
    }

    private static BalloonPlan planCount(List<CpuState> cpus, BalloonPolicy policy, int count) throws BalloonRefusal {
        CpuSet all = all(cpus);
        CpuSet online = online(cpus);
        // 1. The count itself: between the floor and the number of CPUs the guest has.
        if (count < policy.floor()) {
            throw new BalloonRefusal("target count " + count + " is below the floor of " + policy.floor()
                    + " online CPU(s) set in the guest's configuration");
        }
        if (count > all.size()) {
            throw new BalloonRefusal("target count " + count + " exceeds the " + all.size()
                    + " CPU(s) the guest has (" + all + ")");
        }
        CpuSet toOnline = CpuSet.empty();
        CpuSet toOffline = CpuSet.empty();
        if (count < online.size()) {
            // 2a. Shrink: offline the highest-numbered CPUs that may go offline (xl vcpu-set order).
            List<Integer> candidates = new ArrayList<>();
            List<String> pinned = new ArrayList<>();
            for (int i = cpus.size() - 1; i >= 0; i--) {
                CpuState cpu = cpus.get(i);
                if (!cpu.online()) {
                    continue;
                }
                String why = whyNotOfflinable(cpu, policy);
                if (why == null) {
                    candidates.add(cpu.cpu());
                } else {
                    pinned.add(why);
                }
            }
            int needed = online.size() - count;
            if (candidates.size() < needed) {
                throw new BalloonRefusal("cannot go down to " + count + " online CPU(s): " + String.join(", ", reverse(pinned))
                        + "; the fewest reachable is " + (online.size() - candidates.size()));
            }
            toOffline = CpuSet.of(candidates.subList(0, needed));
        } else if (count > online.size()) {
            // 2b. Grow: online the lowest-numbered offline CPUs that are not protected.
            CpuSet offline = all.minus(online);
            CpuSet candidates = offline.minus(policy.protectedCpus());
            int needed = count - online.size();
            if (candidates.size() < needed) {
                throw new BalloonRefusal("cannot go up to " + count + " online CPU(s): "
                        + describe(offline.intersection(policy.protectedCpus())) + " protected by the guest's configuration"
                        + "; the most reachable is " + (online.size() + candidates.size()));
            }
            toOnline = CpuSet.of(candidates.stream().limit(needed).toArray());
        }
        CpuSet target = online.union(toOnline).minus(toOffline);
        return new BalloonPlan(online, target, toOnline, toOffline, restorable(cpus, policy, target));
    }

    private static BalloonPlan planSet(List<CpuState> cpus, BalloonPolicy policy, CpuSet wanted) throws BalloonRefusal {
        CpuSet all = all(cpus);
        CpuSet online = online(cpus);
        // 1. Every requested CPU must exist.
        CpuSet unknown = wanted.minus(all);
        if (!unknown.isEmpty()) {
            throw new BalloonRefusal(describe(unknown) + " not present in the guest (it has " + all + ")");
        }
        // 2. The floor.
        if (wanted.size() < policy.floor()) {
            throw new BalloonRefusal(wanted.size() + " CPU(s) requested (\"" + wanted + "\"), below the floor of "
                    + policy.floor() + " online CPU(s) set in the guest's configuration");
        }
        // 3. Everything to offline must be offlinable; protected CPUs keep their state.
        CpuSet toOffline = online.minus(wanted);
        List<String> refusals = new ArrayList<>();
        for (CpuState cpu : cpus) {
            if (toOffline.contains(cpu.cpu())) {
                String why = whyNotOfflinable(cpu, policy);
                if (why != null) {
                    refusals.add(why);
                }
            }
        }
        CpuSet toOnline = wanted.minus(online);
        CpuSet protectedOffline = toOnline.intersection(policy.protectedCpus());
        if (!protectedOffline.isEmpty()) {
            refusals.add(describe(protectedOffline) + " protected by the guest's configuration");
        }
        if (!refusals.isEmpty()) {
            throw new BalloonRefusal("cannot set online CPUs to \"" + wanted + "\": " + String.join(", ", refusals));
        }
        return new BalloonPlan(online, wanted, toOnline, toOffline, restorable(cpus, policy, wanted));
    }

    /** Null when the CPU may go offline, else the reason. */
    private static String whyNotOfflinable(CpuState cpu, BalloonPolicy policy) {
        if (cpu.cpu() == 0) {
            return "cpu0 is never offlined";
        }
        if (!cpu.offlinable()) {
            return "cpu" + cpu.cpu() + " cannot be offlined (it has no online file)";
        }
        if (policy.protectedCpus().contains(cpu.cpu())) {
            return "cpu" + cpu.cpu() + " is protected by the guest's configuration";
        }
        return null;
    }

    private static CpuSet restorable(List<CpuState> cpus, BalloonPolicy policy, CpuSet target) {
        return all(cpus).minus(target).minus(policy.protectedCpus());
    }

    private static CpuSet all(List<CpuState> cpus) {
        return CpuSet.of(cpus.stream().map(CpuState::cpu).collect(Collectors.toList()));
    }

    private static CpuSet online(List<CpuState> cpus) {
        return CpuSet.of(cpus.stream().filter(CpuState::online).map(CpuState::cpu).collect(Collectors.toList()));
    }

    /** "cpu3" or "cpus 2-3". */
    static String name(CpuSet cpus) {
        return cpus.size() == 1 ? "cpu" + cpus.first() : "cpus " + cpus;
    }

    /** "cpu3 is" or "cpus 2-3 are". */
    private static String describe(CpuSet cpus) {
        return name(cpus) + (cpus.size() == 1 ? " is" : " are");
    }

    private static <T> List<T> reverse(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
