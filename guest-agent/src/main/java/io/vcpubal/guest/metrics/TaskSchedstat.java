package io.vcpubal.guest.metrics;

/**
 * Scheduler statistics of a task, or of a CPU, or a sum of them.
 *
 * @param onCpuNanos time spent running
 * @param runqueueWaitNanos time spent runnable but waiting for a CPU
 * @param timeslices how many times it was scheduled onto a CPU
 */
public record TaskSchedstat(long onCpuNanos, long runqueueWaitNanos, long timeslices) {

    public static final TaskSchedstat ZERO = new TaskSchedstat(0, 0, 0);

    public TaskSchedstat plus(TaskSchedstat other) {
        return new TaskSchedstat(onCpuNanos + other.onCpuNanos, runqueueWaitNanos + other.runqueueWaitNanos,
                timeslices + other.timeslices);
    }
}
