package io.vcpubal.guest.fence;

import java.util.List;

/**
 * What one fence change did besides confining the tasks.
 *
 * @param tasksMoved   processes moved from the root cgroup into the agent's group (new ones since last time)
 * @param irqsSteered  interrupts whose affinity was written
 * @param irqsRefused  "IRQ: errno" for interrupts the kernel would not move (per-CPU timers, managed IRQs):
 *                     they keep waking the fenced CPUs, which the lab's interrupt count shows
 * @param micros       time of each phase (tasks, cpuset, irqs, workqueues), for the agent's log
 */
public record FenceReport(int tasksMoved, int irqsSteered, List<String> irqsRefused, long[] micros) {
    static final FenceReport NOTHING = new FenceReport(0, 0, List.of(), new long[4]);

    public FenceReport {
        irqsRefused = List.copyOf(irqsRefused);
        micros = micros.clone();
    }

    /** "tasks 12 us, cpuset 340 us, irqs 2100 us (3 steered, 1 refused), workqueues 800 us" */
    public String timing() {
        return String.format("tasks %d us (%d moved), cpuset %d us, irqs %d us (%d steered, %d refused), workqueues %d us",
                micros[0], tasksMoved, micros[1], micros[2], irqsSteered, irqsRefused.size(), micros[3]);
    }
}
