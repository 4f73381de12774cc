/**
 * Process classes on guests run by systemd: each class is a unit, its settings the unit's CPUWeight= and
 * CPUQuota= set through {@code systemctl set-property --runtime}; the units' own settings are recorded
 * before the first change and put back ({@link io.vcpubal.guest.policy.systemd.UnitClasses}).
 */
package io.vcpubal.guest.policy.systemd;
