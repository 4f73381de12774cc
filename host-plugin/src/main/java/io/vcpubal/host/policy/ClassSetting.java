package io.vcpubal.host.policy;

/**
 * What one class's group in one guest is set to.
 *
 * @param cpuWeight the group's cpu.weight against the rest of the guest (100); 0 for an idle-time class, whose
 *                  group is {@code cpu.idle} instead (the kernel refuses a weight on an idle group)
 * @param idle      cpu.idle: runs only when nothing else in its guest wants the CPU
 * @param quotaUs   cpu.max quota per 100 ms period, 0 = no limit
 * @param active    whether it used CPU enough to count ({@link ClassPlanner#ACTIVE_CPUS})
 */
public record ClassSetting(ClassConfig cls, int cpuWeight, boolean idle, int quotaUs, boolean active) {}
