package io.vcpubal.host.demand;

import io.vcpubal.protocol.v1.GuestFacts;

/**
 * One VM's demand fed by its facts reports as they arrive: keeps the previous report to sample against.
 * Not thread-safe (the daemon's state lock guards it); the clock comes in with each report.
 */
public final class VmDemand {
    private final DemandEstimator estimator;
    private GuestFacts previous;

    public VmDemand(DemandPolicy policy) {
        this.estimator = new DemandEstimator(policy);
    }

    /** @return whether the demand changed (the VM needs a re-plan) */
    public boolean offer(GuestFacts facts, long nowMs, int maxVcpus) {
        GuestFacts before = previous;
        previous = facts;
        if (before == null) {
            return false;
        }
        double was = estimator.demand(maxVcpus);
        return LoadSamples.between(before, facts)
                .map(sample -> estimator.offer(sample, nowMs, maxVcpus) != was)
                .orElse(false);
    }

    public double demand(int maxVcpus) {
        return estimator.demand(maxVcpus);
    }

    public long changes() {
        return estimator.changes();
    }
}
