package io.vcpubal.guest.policy;

/**
 * One validated class: its rule and the settings its group gets.
 *
 * @param name [a-z0-9_-]{1,32}; the group is {@code vcpubal.class.<name>}
 * @param cpuWeight cpu.weight, 1..10000 (a request's 0 already replaced by {@link ClassSpecs#DEFAULT_WEIGHT})
 * @param idle cpu.idle = 1
 * @param quotaUs cpu.max quota per {@link io.vcpubal.protocol.Bounds#CPU_MAX_PERIOD_US}, 0 = no limit
 */
public record ClassSpec(String name, ClassRule rule, int cpuWeight, boolean idle, long quotaUs) {
}
