/**
 * The vCPU balloon: a pure {@link io.vcpubal.guest.balloon.BalloonPlanner} decides, and
 * {@link io.vcpubal.guest.balloon.VcpuBalloon} writes, verifies and rolls back, always answering with a
 * complete {@link io.vcpubal.guest.balloon.BalloonResult}.
 */
package io.vcpubal.guest.balloon;
