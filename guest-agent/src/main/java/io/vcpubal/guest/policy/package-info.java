/**
 * Process classes (protocol 1.2, SetProcessClasses): the host names classes, each a rule and the CPU
 * settings of a cgroup v2 group; the agent puts every matching process into its class's group and reports
 * what the groups used. Matching ({@link io.vcpubal.guest.policy.Glob}, {@link io.vcpubal.guest.policy.ClassRule},
 * {@link io.vcpubal.guest.policy.IdentityReader}), validation ({@link io.vcpubal.guest.policy.ClassSpecs}),
 * the kernel side ({@link io.vcpubal.guest.policy.ClassGroups}) and the loop that keeps them in force
 * ({@link io.vcpubal.guest.policy.ProcessClasses}) are kept apart so each has fixture tests. On guests run by
 * systemd a class is a unit instead and systemd keeps its processes in place
 * ({@link io.vcpubal.guest.policy.systemd.UnitClasses}); both are a {@link io.vcpubal.guest.policy.ClassEnforcer}.
 */
package io.vcpubal.guest.policy;
