package io.vcpubal.guest.sysfs;

/**
 * What one CPU's sysfs directory says about it.
 *
 * @param cpu the CPU number (N in {@code cpuN})
 * @param online whether the CPU is online
 * @param offlinable false when {@code cpuN/online} is missing: the kernel does not let that CPU go
 *     offline (cpu0 on most x86 guests), so it counts as online and cannot be offlined
 */
public record CpuState(int cpu, boolean online, boolean offlinable) {
}
