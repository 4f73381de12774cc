package io.vcpubal.guest.fence;

import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.util.Optional;

/**
 * Takes online CPUs out of the guest's use without hotplug: the CPU stays online to the kernel, nothing of
 * the guest's runs there, so it halts and its vCPU thread sleeps on the host. See {@link CgroupFence}.
 *
 * <p>The fence state lives in the kernel, not in the agent, so an agent that restarts after a crash reads
 * (and undoes) what the previous one left.
 */
public interface CpuFence {

    /** Why this guest cannot fence; empty when it can. */
    Optional<String> unavailable();

    /** The online CPUs fenced now (empty when none, or when fencing is unavailable). */
    CpuSet fenced(CpuSet online) throws IOException;

    /**
     * Confines the guest to {@code online} minus {@code fenced}; an empty {@code fenced} undoes every write a
     * fence made (and, after a crash, steers interrupts back to every online CPU).
     *
     * @throws IOException when the tasks could not be confined; interrupts the kernel will not move are
     *     reported in the result, not thrown
     */
    FenceReport set(CpuSet fenced, CpuSet online) throws IOException;

    /**
     * Gives {@code group}, a new cgroup of the agent's beside the fence's (a process class), the CPUs the fence
     * keeps, before any process enters it, so a process moved there stays fenced; later fence changes reach it
     * too. Nothing when the guest is not fenced or cannot be.
     */
    default void confine(java.nio.file.Path group) throws IOException {
    }

    /** Undoes every fence and removes what the agent created (the agent is stopping). Best effort. */
    void dismantle();

    /** A guest that cannot fence: hotplug only. */
    static CpuFence unavailable(String why) {
        return new CpuFence() {
            @Override
            public Optional<String> unavailable() {
                return Optional.of(why);
            }

            @Override
            public CpuSet fenced(CpuSet online) {
                return CpuSet.empty();
            }

            @Override
            public FenceReport set(CpuSet fenced, CpuSet online) throws IOException {
                if (!fenced.isEmpty()) {
                    throw new IOException("EOPNOTSUPP: fencing is not available in this guest: " + why);
                }
                return FenceReport.NOTHING;
            }

            @Override
            public void dismantle() {
            }
        };
    }
}
