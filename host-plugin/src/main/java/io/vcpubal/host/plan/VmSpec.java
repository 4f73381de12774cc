package io.vcpubal.host.plan;

import java.util.Objects;

/**
 * What the planner needs to know about one VM.
 *
 * @param name      unique name of the VM
 * @param weight    proportional-share weight, &gt; 0 (the paper uses 512 and 256; Xen's default is 256)
 * @param maxVcpus  vCPUs the VM was started with: the most it can have online, &ge; 1
 * @param minVcpus  pCPUs guaranteed to the VM whatever the weights (like a VMware reservation),
 *                  0 &le; min &le; max; 0 means no guarantee. See {@link Planner} for how it is honoured.
 * @param demand    pCPUs the VM would use now, as its guest's facts show (a
 *                  {@link io.vcpubal.host.demand.DemandEstimator}'s output), &ge; 0; {@code maxVcpus} (the
 *                  default) means "all it can get" and plans exactly as without demand. An input, never
 *                  read by the planner from anywhere: the plan stays a pure function.
 */
public record VmSpec(String name, long weight, int maxVcpus, int minVcpus, double demand) {

    public VmSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("VM name is blank");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("VM " + name + ": weight must be > 0, got " + weight);
        }
        if (maxVcpus < 1) {
            throw new IllegalArgumentException("VM " + name + ": max vCPUs must be >= 1, got " + maxVcpus);
        }
        if (minVcpus < 0 || minVcpus > maxVcpus) {
            throw new IllegalArgumentException("VM " + name + ": min vCPUs must be between 0 and max vCPUs ("
                    + maxVcpus + "), got " + minVcpus);
        }
        if (!(demand >= 0) || Double.isInfinite(demand)) {
            throw new IllegalArgumentException("VM " + name + ": demand must be a finite number >= 0, got " + demand);
        }
    }

    /** A VM that wants all it can get: the static, weight-only plan. */
    public VmSpec(String name, long weight, int maxVcpus, int minVcpus) {
        this(name, weight, maxVcpus, minVcpus, maxVcpus);
    }

    /** The same VM wanting {@code pcpus}. */
    public VmSpec withDemand(double pcpus) {
        return new VmSpec(name, weight, maxVcpus, minVcpus, pcpus);
    }

    /** A VM without a minimum. */
    public static VmSpec of(String name, long weight, int maxVcpus) {
        return new VmSpec(name, weight, maxVcpus, 0);
    }
}
