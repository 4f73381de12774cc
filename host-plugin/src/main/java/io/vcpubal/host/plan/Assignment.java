package io.vcpubal.host.plan;

import io.vcpubal.protocol.CpuSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pins in force, per VM: element {@code i} of a VM's list is the pCPU set vCPU {@code i} is pinned
 * to. The planner's input for stability: usually the last plan ({@link Plan#assignment()}), but it may
 * also be read back from the threads' affinities. Entries for unknown VMs are ignored.
 */
public record Assignment(Map<String, List<CpuSet>> pins) {

    private static final Assignment EMPTY = new Assignment(Map.of());

    public Assignment {
        Map<String, List<CpuSet>> copy = new TreeMap<>();
        pins.forEach((vm, list) -> copy.put(Objects.requireNonNull(vm, "VM name"), List.copyOf(list)));
        pins = Collections.unmodifiableMap(copy);
    }

    public static Assignment empty() {
        return EMPTY;
    }

    /** The pins of one VM's vCPUs by index; empty when the VM has none. */
    public List<CpuSet> pins(String vm) {
        return pins.getOrDefault(vm, List.of());
    }
}
