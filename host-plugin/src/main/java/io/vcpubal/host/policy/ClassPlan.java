package io.vcpubal.host.policy;

import java.util.Map;

/**
 * What the class planner decided: per VM its planning weight and class settings, and the CPU the low classes
 * share.
 *
 * @param freeCpus CPUs that no active high or normal demand wants: what idle-time classes may use together
 */
public record ClassPlan(Map<String, VmClassPlan> vms, double freeCpus) {
    public ClassPlan {
        vms = Map.copyOf(vms);
    }

    public VmClassPlan vm(String name) {
        return vms.get(name);
    }
}
