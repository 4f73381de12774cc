package io.vcpubal.host.plan;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Decides how many vCPUs each VM keeps online and where each one runs. A pure function: no I/O, no
 * clock, no threads, no logging; the same input always gives the same plan.
 *
 * <h2>Shares</h2>
 * The T assignable pCPUs (online minus {@link ReservedCpus}) are divided by weight,
 * N_i = W_i · T / ΣW, by water-filling ({@link Shares}): a VM whose share exceeds its max vCPUs is capped
 * and the surplus goes to the others by weight. <b>Min vCPUs</b> is a guaranteed share, like a VMware
 * reservation: a VM whose weighted share is below its min is raised to it and the others give up the
 * difference by weight. It is therefore also a floor on the online vCPUs (ceil(share) &ge; min). Minimums
 * are admission-controlled: if they add up to more than T, planning fails. The shares add up to T, unless
 * every VM is capped (then the pCPUs left over stay idle, in the shared pool).
 *
 * <h2>Demand: work-conserving shares</h2>
 * Each VM's {@link VmSpec#demand()} (pCPUs it would use now; an input estimated from its guest's facts by
 * {@link io.vcpubal.host.demand.DemandEstimator}, never read here) caps what it is given, so that what an
 * idle VM leaves is lent to VMs that want more. With cap_i = clamp(demand_i, max(min_i, 0.1), max_i):
 * <ul>
 *   <li>Σ cap_i &ge; T (someone wants more than the others leave): water-filling between min_i and cap_i.
 *       Lenders stop at their demand, the borrowers divide the rest by weight.</li>
 *   <li>Σ cap_i &lt; T (everyone gets what it wants): water-filling between cap_i and max_i, so the spare is
 *       still handed out by weight, as the host scheduler would, instead of idling.</li>
 * </ul>
 * The guarantee, proved by the table tests: a VM whose demand is at least its entitlement (the static
 * share by weight, {@link VmPlan#entitlement()}) gets at least its entitlement, because lowering the
 * others' caps can only raise the water level. A VM at its max demand (the default) is planned exactly as
 * without demand, so everyone busy gives the static plan. An idle VM keeps a share of 0.1 on its one vCPU.
 *
 * <h2>Online vCPUs and modes</h2>
 * As few vCPUs as the share allows, as VCPU-Bal asks: ceil(share), at least 1.
 * <ul>
 *   <li>Whole share k: k vCPUs online, each pinned to a pCPU of its own ({@link Mode#DEDICATED};
 *       the paper's case: weights 512 and 256 on 12 pCPUs give 8 and 4 vCPUs on pCPUs 0-7 and 8-11).</li>
 *   <li>Fractional share s: floor(s) vCPUs with dedicated pCPUs plus ONE balanced vCPU on the shared pool
 *       ({@link Mode#BALANCED}). The pool is every assignable pCPU no VM has to itself. Since a VM has at
 *       most one vCPU in the pool and its other vCPUs are outside it, no two vCPUs of one VM can ever
 *       share a pCPU: balance scheduling holds by construction. Example, this 2-CPU host with weights 3:1:
 *       shares 1.5 and 0.5; the first VM has vCPU0 on one pCPU and vCPU1 on the pool (the other pCPU),
 *       the second VM's only vCPU is on the pool too.</li>
 * </ul>
 *
 * <h2>How fractional CPU time is enforced</h2>
 * Plain pinning: a balanced vCPU is pinned to the whole pool, and its CPU time within the pool is left to
 * the host scheduler, weighted by cgroup v2 {@code cpu.weight} on the vCPU threads in proportion to
 * {@link VmPlan#balancedShare()} (applied by the backend, not here). Why: {@code cpu.weight} is
 * work-conserving, so pool time a VM leaves idle goes to the others, where {@code cpu.max} would waste it;
 * pinning to the whole pool lets the scheduler even out fractions that do not pack into whole pCPUs
 * (three VMs of 2/3 on 2 pCPUs), which pinning each balanced vCPU to one pCPU cannot. Until weights are
 * applied, pinning alone still keeps balanced vCPUs off every dedicated pCPU and splits the pool evenly.
 *
 * <h2>Placement and stability</h2>
 * vCPU i of a VM is online for i &lt; onlineVcpus (the highest-numbered go offline first; cpu0 never can).
 * <ol>
 *   <li>Keep: a vCPU that is dedicated in the new plan keeps the single pCPU it is pinned to in the
 *       current {@link Assignment} while that pCPU is still assignable. Uncontested pins are kept first,
 *       contested ones go to the first VM in input order. So a re-plan with the previous plan as current
 *       changes nothing, and a weight change moves no vCPU that stays dedicated.</li>
 *   <li>Take: VMs needing more dedicated pCPUs get them by topology ({@link TopologyTaker}), largest need
 *       first (it needs whole sockets most): next to pCPUs they already hold, in one socket when they fit
 *       (the tightest such socket), whole cores before single SMT threads. Stability wins over
 *       compactness: kept pins are never moved to defragment.</li>
 *   <li>Pool: whatever assignable pCPU is left; each VM's balanced vCPU is pinned to all of it.</li>
 *   <li>Emulator threads: the reserved emulator CPUs if any; else the reserved host CPUs if any
 *       (housekeeping belongs together); else the shared pool if not empty (off the dedicated pCPUs);
 *       else every assignable pCPU (nothing better is left: they float, as QEMU's do by default).</li>
 * </ol>
 *
 * <p>Cost: O(V log V + T + R · C log C) for V VMs, T pCPUs, C cores and R &le; min(V, T) VMs that need new
 * pCPUs; 1,000 VMs on 512 pCPUs is a few hundred thousand steps.
 */
public final class Planner {

    private Planner() {
    }

    /** A first plan, with nothing pinned yet. */
    public static Plan plan(HostTopology topology, ReservedCpus reserved, List<VmSpec> vms) {
        return plan(topology, reserved, vms, Assignment.empty());
    }

    /**
     * Plans the VMs.
     *
     * @param current the pins in force, for stability ({@link Assignment#empty()} for none)
     * @throws IllegalArgumentException when there is no VM, two VMs share a name, a reserved CPU is not
     *                                  online, every CPU is reserved, or the minimums do not fit
     */
    public static Plan plan(HostTopology topology, ReservedCpus reserved, List<VmSpec> vms, Assignment current) {
        if (vms.isEmpty()) {
            throw new IllegalArgumentException("no VMs to plan");
        }
        Set<String> names = new HashSet<>();
        for (VmSpec vm : vms) {
            if (!names.add(vm.name())) {
                throw new IllegalArgumentException("two VMs are named " + vm.name());
            }
        }
        reserved.checkAgainst(topology);
        CpuSet assignable = reserved.assignable(topology);
        if (assignable.isEmpty()) {
            throw new IllegalArgumentException("no pCPU left for vCPUs: all " + topology.numCpus()
                    + " online CPUs (" + topology.cpus() + ") are reserved (host: " + reserved.forHost()
                    + ", emulator: " + reserved.forEmulator() + ")");
        }

        int n = vms.size();
        double[] shares = Shares.compute(vms, assignable.size());
        double[] entitled = Shares.entitlements(vms, assignable.size());
        int[][] pins = new int[n][];
        for (int i = 0; i < n; i++) {
            pins[i] = new int[(int) Math.floor(shares[i])];
            Arrays.fill(pins[i], -1);
        }
        TopologyTaker taker = new TopologyTaker(topology, assignable);

        // 1. Keep current single-pCPU pins of vCPUs that stay dedicated: uncontested ones first.
        int[] claims = new int[topology.cpus().stream().max().orElse(0) + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < pins[i].length; j++) {
                int cpu = keepable(current, vms.get(i), j, taker);
                if (cpu >= 0) {
                    claims[cpu]++;
                }
            }
        }
        keep(vms, current, pins, taker, cpu -> claims[cpu] == 1);
        keep(vms, current, pins, taker, cpu -> true);

        // 2. Take the missing dedicated pCPUs by topology, largest need first.
        Integer[] order = new Integer[n];
        int[] need = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            need[i] = (int) Arrays.stream(pins[i]).filter(cpu -> cpu < 0).count();
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -need[i]).thenComparingInt(i -> i));
        for (int i : order) {
            if (need[i] == 0) {
                break;
            }
            CpuSet held = CpuSet.of(Arrays.stream(pins[i]).filter(cpu -> cpu >= 0));
            int[] got = taker.take(need[i], held).toArray();
            for (int j = 0, k = 0; j < pins[i].length; j++) {
                if (pins[i][j] < 0) {
                    pins[i][j] = got[k++];
                }
            }
        }

        // 3. The rest is the shared pool; each fractional VM's last vCPU runs on it.
        CpuSet pool = taker.remaining();
        List<VmPlan> plans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<CpuSet> vcpus = new ArrayList<>(pins[i].length + 1);
            for (int cpu : pins[i]) {
                vcpus.add(CpuSet.of(cpu));
            }
            boolean whole = Shares.isWhole(shares[i]);
            if (!whole) {
                if (pool.isEmpty()) {
                    throw new IllegalStateException("VM " + vms.get(i).name() + " has a fractional share "
                            + shares[i] + " but no pCPU is left for the shared pool");
                }
                vcpus.add(pool);
            }
            plans.add(new VmPlan(vms.get(i).name(), shares[i], whole ? Mode.DEDICATED : Mode.BALANCED, vcpus,
                    entitled[i]));
        }
        return new Plan(plans, assignable, pool, emulatorCpus(reserved, pool, assignable));
    }

    /** 4. Where QEMU's emulator threads go (see the class comment). */
    private static CpuSet emulatorCpus(ReservedCpus reserved, CpuSet pool, CpuSet assignable) {
        if (!reserved.forEmulator().isEmpty()) {
            return reserved.forEmulator();
        }
        if (!reserved.forHost().isEmpty()) {
            return reserved.forHost();
        }
        return pool.isEmpty() ? assignable : pool;
    }

    /** The free pCPU vCPU {@code j} of {@code vm} is pinned to alone in {@code current}, else -1. */
    private static int keepable(Assignment current, VmSpec vm, int j, TopologyTaker taker) {
        List<CpuSet> previous = current.pins(vm.name());
        if (j >= previous.size() || previous.get(j).size() != 1) {
            return -1;
        }
        int cpu = previous.get(j).first();
        return taker.isFree(cpu) ? cpu : -1;
    }

    /** Keeps the keepable pins of still unplaced dedicated vCPUs that {@code now} accepts. */
    private static void keep(List<VmSpec> vms, Assignment current, int[][] pins, TopologyTaker taker,
                             IntPredicate now) {
        for (int i = 0; i < vms.size(); i++) {
            for (int j = 0; j < pins[i].length; j++) {
                int cpu = pins[i][j] < 0 ? keepable(current, vms.get(i), j, taker) : -1;
                if (cpu >= 0 && now.test(cpu)) {
                    taker.claim(cpu);
                    pins[i][j] = cpu;
                }
            }
        }
    }
}
