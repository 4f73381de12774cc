package io.vcpubal.bench;

import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.topology.HostTopology;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner benchmark's input: a large host and 1,000 VMs of mixed weights and sizes. Deterministic, and
 * the same mix host-plugin's {@code LargePlanTest} checks for correctness, so what is timed here is a plan
 * known to be valid.
 */
public final class PlannerWorkload {

    /** Index of the VM whose weight the re-plan benchmark changes. */
    public static final int CHANGED_VM = 500;

    private PlannerWorkload() {
    }

    /** 2 sockets x 128 cores x 2 threads = 512 pCPUs, one NUMA node per socket. */
    public static HostTopology bigHost() {
        return HostTopology.uniform(2, 128, 2);
    }

    /** 1,000 VMs: weights 1-1024 (every 10th VM 20 times heavier), 1-16 max vCPUs, every 50th with a minimum of 2. */
    public static List<VmSpec> thousandVms() {
        List<VmSpec> vms = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long weight = (1 + (i * 7919L) % 1024) * (i % 10 == 0 ? 20 : 1);
            int max = 1 + (i * 31) % 16;
            int min = i % 50 == 0 ? Math.min(max, 2) : 0;
            vms.add(new VmSpec("vm" + i, weight, max, min));
        }
        return vms;
    }

    /** {@code vms} with the weight of {@link #CHANGED_VM} multiplied by 50: an operator's set-weight. */
    public static List<VmSpec> withOneWeightChanged(List<VmSpec> vms) {
        List<VmSpec> changed = new ArrayList<>(vms);
        VmSpec vm = changed.get(CHANGED_VM);
        changed.set(CHANGED_VM, new VmSpec(vm.name(), vm.weight() * 50, vm.maxVcpus(), vm.minVcpus()));
        return changed;
    }
}
