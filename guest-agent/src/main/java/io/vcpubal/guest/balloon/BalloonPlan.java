package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.CpuSet;

/**
 * The writes that take the CPUs from {@code before} to {@code target}.
 *
 * <p>Apply {@code toOnline} in ascending order first, then {@code toOffline} in descending order: onlining
 * first means the online count never dips below both the old and the new count while the plan runs.
 *
 * @param before online CPUs now
 * @param target online CPUs when the plan has run
 * @param toOnline CPUs to bring online
 * @param toOffline CPUs to take offline
 * @param restorable CPUs that will be offline afterwards and that restore-all would bring back (all offline
 *     CPUs that are not protected); non-empty means the result must be guarded by a lease
 */
public record BalloonPlan(CpuSet before, CpuSet target, CpuSet toOnline, CpuSet toOffline, CpuSet restorable) {

    public boolean changesNothing() {
        return toOnline.isEmpty() && toOffline.isEmpty();
    }
}
