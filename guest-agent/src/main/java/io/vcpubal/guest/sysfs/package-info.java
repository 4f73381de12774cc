/**
 * CPU hotplug through sysfs: {@link io.vcpubal.guest.sysfs.CpuSet} (the strict cpulist value) and
 * {@link io.vcpubal.guest.sysfs.CpuSysfs} (the per-CPU {@code online} files under an injectable root).
 */
package io.vcpubal.guest.sysfs;

import io.vcpubal.protocol.CpuSet;
