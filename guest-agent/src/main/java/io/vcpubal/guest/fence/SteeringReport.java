package io.vcpubal.guest.fence;

import io.vcpubal.protocol.CpuSet;
import java.util.List;

/**
 * What the steering after a fence change did: the processes the kernel had started in the root cgroup since
 * the last sweep, the interrupts and the unbound workqueues moved onto the kept CPUs (or back, on an unfence).
 *
 * @param kept        the CPUs steered onto; empty for an unfence
 * @param tasksMoved  processes swept into the agent's group
 * @param irqsSteered interrupts whose affinity was written
 * @param irqsRefused "IRQ: errno" for interrupts the kernel would not move (per-CPU timers, managed IRQs):
 *                    they keep waking the fenced CPUs, which the lab's interrupt count shows
 * @param micros      time of each phase (tasks, irqs, workqueues)
 * @param failure     why a phase failed, or empty; the tasks stay confined either way
 */
public record SteeringReport(CpuSet kept, int tasksMoved, int irqsSteered, List<String> irqsRefused, long[] micros,
                             String failure) {
    public SteeringReport {
        irqsRefused = List.copyOf(irqsRefused);
        micros = micros.clone();
    }

    /** "steered to 0-1: tasks 12 us (0 moved), irqs 2100 us (3 steered, 1 refused), workqueues 800 us" */
    public String timing() {
        return String.format("%s: tasks %d us (%d moved), irqs %d us (%d steered, %d refused), workqueues %d us%s",
                kept.isEmpty() ? "unsteered" : "steered to " + kept, micros[0], tasksMoved, micros[1], irqsSteered,
                irqsRefused.size(), micros[2], failure.isEmpty() ? "" : "; " + failure);
    }
}
