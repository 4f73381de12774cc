package io.vcpubal.host.plan;

import io.vcpubal.protocol.CpuSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The planner's output: one {@link VmPlan} per VM (in input order) and where the rest goes.
 *
 * @param vms            per VM, in the order they were given
 * @param assignableCpus online pCPUs minus the reserved ones; the shares add up to their number
 * @param sharedPool     assignable pCPUs no VM has to itself: the balanced vCPUs run here (it also holds
 *                       pCPUs left idle when every VM is capped at its max vCPUs)
 * @param emulatorCpus   where QEMU's emulator threads go (see {@link Planner})
 */
public record Plan(List<VmPlan> vms, CpuSet assignableCpus, CpuSet sharedPool, CpuSet emulatorCpus) {

    public Plan {
        vms = List.copyOf(vms);
        Objects.requireNonNull(assignableCpus, "assignableCpus");
        Objects.requireNonNull(sharedPool, "sharedPool");
        Objects.requireNonNull(emulatorCpus, "emulatorCpus");
    }

    /**
     * @throws IllegalArgumentException when there is no VM of that name in the plan
     */
    public VmPlan vm(String name) {
        for (VmPlan vm : vms) {
            if (vm.name().equals(name)) {
                return vm;
            }
        }
        throw new IllegalArgumentException("no VM named " + name + " in the plan");
    }

    /** Sum of the VMs' shares. */
    public double totalShare() {
        return vms.stream().mapToDouble(VmPlan::share).sum();
    }

    /** The pins of this plan, as the current assignment of the next one. */
    public Assignment assignment() {
        Map<String, List<CpuSet>> pins = new LinkedHashMap<>();
        vms.forEach(vm -> pins.put(vm.name(), vm.vcpuPins()));
        return new Assignment(pins);
    }
}
