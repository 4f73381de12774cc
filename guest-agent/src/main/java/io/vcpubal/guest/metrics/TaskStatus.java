package io.vcpubal.guest.metrics;

/**
 * The fields of {@code /proc/<pid>/status} the agent uses.
 *
 * @param name "Name:" (escaped by the kernel; at most 64 chars for kernel threads in 6.x)
 * @param voluntaryCtxtSwitches "voluntary_ctxt_switches:" — the task blocked or yielded
 * @param involuntaryCtxtSwitches "nonvoluntary_ctxt_switches:" — the task was preempted
 * @param threads "Threads:"
 */
public record TaskStatus(String name, long voluntaryCtxtSwitches, long involuntaryCtxtSwitches, int threads) {
}
