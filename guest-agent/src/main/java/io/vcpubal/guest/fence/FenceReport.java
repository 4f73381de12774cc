package io.vcpubal.guest.fence;

/**
 * What one fence change did before the agent answered: the processes it moved and the cpuset it wrote.
 * Interrupts and unbound work follow right after, off the answer's path ({@link SteeringReport}).
 *
 * @param tasksMoved  processes moved from the root cgroup into the agent's group (the first fence moves them all)
 * @param tasksMicros time of that move
 * @param cpusetMicros time of the {@code cpuset.cpus} write, which confines every task of the group
 */
public record FenceReport(int tasksMoved, long tasksMicros, long cpusetMicros) {
    static final FenceReport NOTHING = new FenceReport(0, 0, 0);

    /** "tasks 12 us (0 moved), cpuset 340 us" */
    public String timing() {
        return String.format("tasks %d us (%d moved), cpuset %d us", tasksMicros, tasksMoved, cpusetMicros);
    }
}
