package io.vcpubal.guest.fence;

import java.util.List;

/**
 * What one fence change did besides confining the tasks.
 *
 * @param tasksMoved   processes moved from the root cgroup into the agent's group (new ones since last time)
 * @param irqsSteered  interrupts whose affinity was written
 * @param irqsRefused  "IRQ: errno" for interrupts the kernel would not move (per-CPU timers, managed IRQs):
 *                     they keep waking the fenced CPUs, which the lab's interrupt count shows
 */
public record FenceReport(int tasksMoved, int irqsSteered, List<String> irqsRefused) {
    static final FenceReport NOTHING = new FenceReport(0, 0, List.of());

    public FenceReport {
        irqsRefused = List.copyOf(irqsRefused);
    }
}
