package io.vcpubal.host.daemon;

import java.util.Collection;

/**
 * Enforces fractional shares per VM rather than per thread: each VM's vCPU threads in a cgroup of their own
 * whose CPU weight follows the VM's share, so a VM's time in the shared pool does not grow with its thread
 * count. {@link #none()} where no cpu controller is available.
 */
public interface CpuWeights extends AutoCloseable {
    /** "v1", "v2" or "none", for logs and status. */
    String kind();

    /**
     * Puts {@code vcpuTids} of process {@code pid} into the VM's cgroup with a weight for {@code share}. Only
     * the threads pinned to the shared pool go there, with the VM's pool share: the kernel spreads a group's
     * weight over the CPUs it is busy on, so a busy dedicated vCPU in the same group would dilute it.
     */
    void apply(String vm, double share, Collection<Integer> vcpuTids, int pid) throws Exception;

    /** Runs the VM's pool threads at the host's idle priority, or back at normal (see {@link
     *  io.vcpubal.host.cgroup.VmCgroups#setIdle}). A no-op where the kernel cannot. */
    default void idle(String vm, boolean idle) throws Exception {
    }

    /** Moves the VM's threads back and removes its cgroup. */
    void release(String vm);

    /** Releases every VM. */
    @Override
    void close();

    /** Per-VM cgroups ({@link io.vcpubal.host.cgroup.VmCgroups}: cgroup v2 cpu.weight or v1 cpu.shares). */
    static CpuWeights of(io.vcpubal.host.cgroup.VmCgroups cgroups) {
        return new CpuWeights() {
            @Override
            public String kind() {
                return cgroups.kind();
            }

            @Override
            public void apply(String vm, double share, Collection<Integer> vcpuTids, int pid) throws Exception {
                cgroups.apply(vm, share, vcpuTids, pid);
            }

            @Override
            public void idle(String vm, boolean idle) throws Exception {
                cgroups.setIdle(vm, idle);
            }

            @Override
            public void release(String vm) {
                try {
                    cgroups.release(vm);
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(CpuWeights.class).warn("{}", e.getMessage());
                }
            }

            @Override
            public void close() {
                cgroups.close();
            }
        };
    }

    public static CpuWeights none() {
        return new CpuWeights() {
            @Override
            public String kind() {
                return "none";
            }

            @Override
            public void apply(String vm, double share, Collection<Integer> vcpuTids, int pid) {}

            @Override
            public void release(String vm) {}

            @Override
            public void close() {}
        };
    }
}
