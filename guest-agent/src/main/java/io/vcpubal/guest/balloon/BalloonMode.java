package io.vcpubal.guest.balloon;

/** How CPUs leave the guest's use (see {@code vcpubal.proto}, BalloonMode). */
public enum BalloonMode {
    /** Offline through sysfs: slow, the kernel forgets the CPU. */
    HOTPLUG,
    /** Online but fenced off: every task confined elsewhere, the CPU halts. Fast. */
    FENCE
}
