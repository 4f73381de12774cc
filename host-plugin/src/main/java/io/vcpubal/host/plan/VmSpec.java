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
 */
public record VmSpec(String name, long weight, int maxVcpus, int minVcpus) {

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
    }

    /** A VM without a minimum. */
    public static VmSpec of(String name, long weight, int maxVcpus) {
        return new VmSpec(name, weight, maxVcpus, 0);
    }
}
