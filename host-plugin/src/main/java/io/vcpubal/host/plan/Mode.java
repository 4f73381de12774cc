package io.vcpubal.host.plan;

/** How a VM's vCPUs are placed. */
public enum Mode {
    /** The share is a whole number: every online vCPU has a pCPU of its own. */
    DEDICATED,
    /**
     * The share is fractional: floor(share) vCPUs have pCPUs of their own, one more vCPU runs on the
     * shared pool (balance scheduling: it never shares a pCPU with a sibling vCPU).
     */
    BALANCED
}
