package io.vcpubal.host.demand;

/**
 * One VM's demand, in pCPUs, from its {@link LoadSample}s: the input the planner lends and reclaims by.
 * Pure state machine: the clock comes in with each sample.
 *
 * <ul>
 *   <li><b>Saturated</b> (its usable vCPUs busy &ge; {@link DemandPolicy#saturatedFraction()} of the time, or
 *       tasks stalled for a CPU &ge; {@link DemandPolicy#stalledFraction()}): demand = max vCPUs at once.
 *       It cannot show more use than the CPUs it has, so asking for everything is the only way to find
 *       out, and it is what makes the entitlement a guarantee: a lender that wakes saturates its one
 *       vCPU in its first report, and the planner gives its share back in that round.</li>
 *   <li>Otherwise: demand = min(max, smoothed busy CPUs × headroom), rounded up to a tenth. Smoothing is
 *       asymmetric: a rise is taken at once, a fall by an EWMA, so one idle report (a GC pause, a barrier)
 *       does not lend a pCPU away.</li>
 *   <li>Hysteresis: a change other than a saturation rise needs {@link DemandPolicy#holdDownMs()} since the
 *       last change, and a fall must exceed {@link DemandPolicy#band()}. In each hold-down window there
 *       is at most one such change plus one saturation rise (after which demand is at max and can only
 *       fall), so a VM causes at most 2 · 60 000 / holdDownMs re-plans a minute, 40 with the default.</li>
 * </ul>
 * Until its first sample a VM's demand is its max: without facts (no agent) it is planned by weight alone.
 */
public final class DemandEstimator {
    private final DemandPolicy policy;
    private double smoothedBusy = Double.NaN;
    private double demand = Double.NaN;
    private long changedAtMs = Long.MIN_VALUE / 2;
    private long changes;

    public DemandEstimator(DemandPolicy policy) {
        this.policy = policy;
    }

    /**
     * Takes one sample.
     *
     * @param maxVcpus the most vCPUs the VM can have, &ge; 1
     * @return the demand now, 0.1 &le; demand &le; maxVcpus
     */
    public double offer(LoadSample sample, long nowMs, int maxVcpus) {
        double busy = sample.busyCpus();
        smoothedBusy = Double.isNaN(smoothedBusy) || busy >= smoothedBusy ? busy
                : policy.fallWeight() * busy + (1 - policy.fallWeight()) * smoothedBusy;
        boolean saturated = busy >= policy.saturatedFraction() * sample.usableCpus()
                || sample.stallFraction() >= policy.stalledFraction();
        double current = demand(maxVcpus);
        double target = saturated ? maxVcpus
                : Math.max(0.1, Math.min(maxVcpus, Math.ceil(smoothedBusy * policy.headroom() * 10 - 1e-9) / 10));
        boolean held = nowMs - changedAtMs < policy.holdDownMs();
        boolean change;
        if (target > current) {
            change = saturated || !held;
        } else {
            change = target < current - policy.band() && !held;
        }
        if (change && target != current) {
            demand = target;
            changedAtMs = nowMs;
            changes++;
        }
        return demand(maxVcpus);
    }

    /** The demand now; max vCPUs before the first sample. */
    public double demand(int maxVcpus) {
        return Double.isNaN(demand) ? maxVcpus : Math.min(demand, maxVcpus);
    }

    /** Demand changes so far (each one a re-plan). */
    public long changes() {
        return changes;
    }
}
