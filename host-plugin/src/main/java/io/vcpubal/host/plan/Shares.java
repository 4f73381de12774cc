package io.vcpubal.host.plan;

import java.util.Arrays;
import java.util.List;

/**
 * Weighted water-filling: share_i = clamp(W_i · λ, lo_i, hi_i) with the one water level λ at which the
 * shares add up to the T assignable pCPUs. Without bounds this is N_i = W_i · T / ΣW; a VM above its upper
 * bound is capped and its surplus re-divided among the others by weight; a VM below its lower bound is
 * raised and the others give up the difference by weight (VMware's reservation/limit/shares model).
 *
 * <p>The bounds come in two passes (see {@link Planner}, "Demand"): the entitlement is the fill between
 * min and max vCPUs; the share fills between min and the demand-limited cap when the caps use every pCPU,
 * else between the cap and max (everyone gets what it wants, the spare goes by weight).
 *
 * <p>O(V log V) for V VMs: g(λ) = Σ clamp(W_i λ, lo_i, hi_i) is continuous, non-decreasing and piecewise
 * linear with breakpoints lo_i/W_i and hi_i/W_i, so one sweep over the sorted breakpoints finds λ.
 */
final class Shares {

    /** A share this close to a whole number is that number (floating-point noise, not a fraction). */
    static final double INTEGRAL_TOLERANCE = 1e-9;

    /**
     * The least share demand can cap a VM to: an idle VM keeps one vCPU, and when it wakes that vCPU must
     * still run while the re-plan that gives its entitlement back is on its way.
     */
    static final double MIN_DEMAND_SHARE = 0.1;

    private Shares() {
    }

    /**
     * The static shares by weight alone: what each VM is entitled to whatever its demand.
     *
     * @param pcpus the number of assignable pCPUs, &ge; 1
     * @throws IllegalArgumentException when the VMs' minimums add up to more than {@code pcpus}
     */
    static double[] entitlements(List<VmSpec> vms, int pcpus) {
        checkMinimums(vms, pcpus);
        int n = vms.size();
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            lo[i] = vms.get(i).minVcpus();
            hi[i] = vms.get(i).maxVcpus();
        }
        return fill(vms, lo, hi, pcpus);
    }

    /**
     * The shares with demand: a VM asking for at least its entitlement gets at least it, what the others do
     * not use goes to those who want more, by weight. Every VM at its max demand gives {@link #entitlements}.
     *
     * @param pcpus the number of assignable pCPUs, &ge; 1
     * @return the share of each VM, in the order given; whole numbers exact
     * @throws IllegalArgumentException when the VMs' minimums add up to more than {@code pcpus}
     */
    static double[] compute(List<VmSpec> vms, int pcpus) {
        checkMinimums(vms, pcpus);
        int n = vms.size();
        double[] min = new double[n];
        double[] cap = new double[n];
        double[] max = new double[n];
        double sumCap = 0;
        for (int i = 0; i < n; i++) {
            VmSpec vm = vms.get(i);
            min[i] = vm.minVcpus();
            max[i] = vm.maxVcpus();
            cap[i] = Math.min(max[i], Math.max(min[i], Math.max(MIN_DEMAND_SHARE, vm.demand())));
            sumCap += cap[i];
        }
        // Demand uses every pCPU: lenders stop at their demand, the rest is filled by weight up to it.
        // Else everyone gets its demand and the spare is filled by weight up to max (work-conserving: no pCPU
        // idles while a VM could run on it).
        return sumCap >= pcpus ? fill(vms, min, cap, pcpus) : fill(vms, cap, max, pcpus);
    }

    private static void checkMinimums(List<VmSpec> vms, int pcpus) {
        long sumMin = vms.stream().mapToLong(VmSpec::minVcpus).sum();
        if (sumMin > pcpus) {
            throw new IllegalArgumentException("the VMs' min vCPUs add up to " + sumMin
                    + ", more than the " + pcpus + " assignable pCPUs");
        }
    }

    /** The water-filling itself, bounds lo &le; hi with Σlo &le; pcpus. */
    private static double[] fill(List<VmSpec> vms, double[] lo, double[] hi, int pcpus) {
        int n = vms.size();
        double sumLo = Arrays.stream(lo).sum();
        double sumHi = Arrays.stream(hi).sum();
        double[] shares = new double[n];
        if (sumHi <= pcpus + INTEGRAL_TOLERANCE) {
            // 1. Every VM is capped: each gets its upper bound, the remaining pCPUs stay idle.
            for (int i = 0; i < n; i++) {
                shares[i] = snap(hi[i]);
            }
            return shares;
        }
        // 2. Sweep the breakpoints: at lo_i/W_i VM i starts to rise with slope W_i, at hi_i/W_i it stops.
        double[][] events = new double[2 * n][];
        for (int i = 0; i < n; i++) {
            double w = vms.get(i).weight();
            events[2 * i] = new double[] {lo[i] / w, w};
            events[2 * i + 1] = new double[] {hi[i] / w, -w};
        }
        Arrays.sort(events, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
        double level = 0;
        double value = sumLo;
        double slope = 0;
        double lambda = Double.NaN;
        for (double[] event : events) {
            double atEvent = value + slope * (event[0] - level);
            if (slope > 0 && atEvent >= pcpus) {
                lambda = level + (pcpus - value) / slope;
                break;
            }
            value = atEvent;
            level = event[0];
            slope += event[1];
        }
        if (Double.isNaN(lambda)) {
            throw new IllegalStateException("water level not found for " + pcpus + " pCPUs"); // sumHi > pcpus
        }
        // 3. Recompute the unbounded shares from the exact remainder, W_i · R / ΣW_free, to keep the
        //    textbook case W·T/ΣW free of the sweep's rounding.
        double bounded = 0;
        double freeWeight = 0;
        boolean[] free = new boolean[n];
        for (int i = 0; i < n; i++) {
            double raw = vms.get(i).weight() * lambda;
            if (raw <= lo[i]) {
                shares[i] = lo[i];
            } else if (raw >= hi[i]) {
                shares[i] = hi[i];
            } else {
                free[i] = true;
                freeWeight += vms.get(i).weight();
                continue;
            }
            bounded += shares[i];
        }
        double remainder = pcpus - bounded;
        for (int i = 0; i < n; i++) {
            if (free[i]) {
                double share = vms.get(i).weight() * remainder / freeWeight;
                shares[i] = Math.min(hi[i], Math.max(lo[i], share));
            }
            shares[i] = snap(shares[i]);
        }
        return shares;
    }

    /** Rounds away floating-point noise around whole numbers. */
    static double snap(double share) {
        double whole = Math.rint(share);
        return Math.abs(share - whole) < INTEGRAL_TOLERANCE ? whole : share;
    }

    static boolean isWhole(double share) {
        return share == Math.rint(share);
    }
}
