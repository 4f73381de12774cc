/**
 * Leases that guard a shrink: {@link io.vcpubal.guest.lease.BalloonLease} restores every CPU when the host
 * stops renewing, {@link io.vcpubal.guest.lease.LeaseWatchdog} wakes it at the deadline.
 */
package io.vcpubal.guest.lease;
