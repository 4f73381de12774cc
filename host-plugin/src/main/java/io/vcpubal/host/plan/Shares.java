package io.vcpubal.host.plan;

import java.util.Arrays;
import java.util.List;

/**
 * Weighted water-filling: share_i = clamp(W_i · λ, min_i, max_i) with the one water level λ at which the
 * shares add up to the T assignable pCPUs. Without bounds this is N_i = W_i · T / ΣW; a VM above its max
 * is capped and its surplus re-divided among the others by weight; a VM below its min is raised and
 * the others give up the difference by weight (VMware's reservation/limit/shares model).
 *
 * <p>O(V log V) for V VMs: g(λ) = Σ clamp(W_i λ, min_i, max_i) is continuous, non-decreasing and
 * piecewise linear with breakpoints min_i/W_i and max_i/W_i, so one sweep over the sorted breakpoints
 * finds λ.
 */
final class Shares {

    /** A share this close to a whole number is that number (floating-point noise, not a fraction). */
    static final double INTEGRAL_TOLERANCE = 1e-9;

    private Shares() {
    }

    /**
     * @param pcpus the number of assignable pCPUs, &ge; 1
     * @return the share of each VM, in the order given; whole numbers exact
     * @throws IllegalArgumentException when the VMs' minimums add up to more than {@code pcpus}
     */
    static double[] compute(List<VmSpec> vms, int pcpus) {
        int n = vms.size();
        long sumMin = vms.stream().mapToLong(VmSpec::minVcpus).sum();
        long sumMax = vms.stream().mapToLong(VmSpec::maxVcpus).sum();
        if (sumMin > pcpus) {
            throw new IllegalArgumentException("the VMs' min vCPUs add up to " + sumMin
                    + ", more than the " + pcpus + " assignable pCPUs");
        }
        double[] shares = new double[n];
        if (sumMax <= pcpus) {
            // 1. Every VM is capped: each gets its max, the remaining pCPUs stay idle.
            for (int i = 0; i < n; i++) {
                shares[i] = vms.get(i).maxVcpus();
            }
            return shares;
        }
        // 2. Sweep the breakpoints: at min_i/W_i VM i starts to rise with slope W_i, at max_i/W_i it stops.
        double[][] events = new double[2 * n][];
        for (int i = 0; i < n; i++) {
            VmSpec vm = vms.get(i);
            double w = vm.weight();
            events[2 * i] = new double[] {vm.minVcpus() / w, w};
            events[2 * i + 1] = new double[] {vm.maxVcpus() / w, -w};
        }
        Arrays.sort(events, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
        double level = 0;
        double value = sumMin;
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
            throw new IllegalStateException("water level not found for " + pcpus + " pCPUs"); // sumMax > pcpus
        }
        // 3. Recompute the unbounded shares from the exact remainder, W_i · R / ΣW_free, to keep the
        //    textbook case W·T/ΣW free of the sweep's rounding.
        double bounded = 0;
        double freeWeight = 0;
        boolean[] free = new boolean[n];
        for (int i = 0; i < n; i++) {
            VmSpec vm = vms.get(i);
            double raw = vm.weight() * lambda;
            if (raw <= vm.minVcpus()) {
                shares[i] = vm.minVcpus();
            } else if (raw >= vm.maxVcpus()) {
                shares[i] = vm.maxVcpus();
            } else {
                free[i] = true;
                freeWeight += vm.weight();
                continue;
            }
            bounded += shares[i];
        }
        double remainder = pcpus - bounded;
        for (int i = 0; i < n; i++) {
            if (free[i]) {
                VmSpec vm = vms.get(i);
                double share = vm.weight() * remainder / freeWeight;
                shares[i] = snap(Math.min(vm.maxVcpus(), Math.max(vm.minVcpus(), share)));
            }
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
