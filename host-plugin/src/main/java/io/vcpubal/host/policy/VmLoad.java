package io.vcpubal.host.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One VM as the class planner sees it: what the operator gave it and what its classes use now.
 *
 * @param weight    the VM's weight, which is also the shares of its unmatched processes
 * @param classes   the operator's classes that exist in this VM, in rule order
 * @param restCpus  CPUs its unmatched processes use (smoothed), guest view
 * @param classCpus CPUs each class uses (smoothed), guest view; a class without a figure uses none
 * @param wantCpus  CPUs the host saw its vCPU threads run or wait to run, or NaN when unknown: what the guest says
 *                  it uses is clamped to it, so a guest cannot claim more demand than the host saw it want
 * @param hostFactor host-true CPU per guest-view CPU of this VM (its vCPU threads' run time over its guest's busy
 *                  time, 0..1), or NaN when unknown: whether a class is active is judged on host-true CPU, since
 *                  a guest whose vCPUs wait on the host counts the waiting as its processes' time
 * @param throttled the classes whose quota held them back lately: a low class held to a small quota uses little
 *                  but is not idle (only the guest's own VM is affected by what it says here)
 */
public record VmLoad(String vm, long weight, int maxVcpus, List<ClassConfig> classes, double restCpus,
                     Map<String, Double> classCpus, double wantCpus, double hostFactor, java.util.Set<String> throttled) {
    public VmLoad {
        Objects.requireNonNull(vm, "vm");
        classes = List.copyOf(classes);
        classCpus = Map.copyOf(classCpus);
        throttled = java.util.Set.copyOf(throttled);
        if (weight <= 0 || maxVcpus < 1) {
            throw new IllegalArgumentException("VM " + vm + ": weight and max vCPUs must be positive");
        }
    }

    /** An idle VM with these classes (nothing measured yet). */
    public static VmLoad idle(String vm, long weight, int maxVcpus, List<ClassConfig> classes) {
        return new VmLoad(vm, weight, maxVcpus, classes, 0, Map.of(), Double.NaN, Double.NaN, java.util.Set.of());
    }

    /** A VM without host measurements. */
    public VmLoad(String vm, long weight, int maxVcpus, List<ClassConfig> classes, double restCpus,
                  Map<String, Double> classCpus, double wantCpus) {
        this(vm, weight, maxVcpus, classes, restCpus, classCpus, wantCpus, Double.NaN, java.util.Set.of());
    }

    /** A VM whose classes were not throttled. */
    public VmLoad(String vm, long weight, int maxVcpus, List<ClassConfig> classes, double restCpus,
                  Map<String, Double> classCpus, double wantCpus, double hostFactor) {
        this(vm, weight, maxVcpus, classes, restCpus, classCpus, wantCpus, hostFactor, java.util.Set.of());
    }
}
