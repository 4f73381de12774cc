/**
 * The main job's experiment ({@code ./run-lab}): the double-scheduling problem and vcpubal removing it,
 * measured on real guests.
 *
 * <p>{@link io.vcpubal.lab.experiment.Experiment} boots the guests with the agent inside and runs every
 * {@link io.vcpubal.lab.experiment.Workload} (code in {@code workloads}, run in the guests with the host's JDK)
 * in every guest at once, in each {@link io.vcpubal.lab.experiment.Mode}: the host's scheduler, static
 * affinity, the host plugin ({@link io.vcpubal.host.daemon.HostDaemon}, in process) and a hand-made
 * {@link io.vcpubal.lab.experiment.StaticPlacement ideal}. {@link io.vcpubal.lab.experiment.ExperimentResults}
 * holds every run; {@link io.vcpubal.lab.experiment.Report} writes {@code results.json}, {@code report.md}
 * and {@link io.vcpubal.lab.experiment.SvgChart chart.svg}.
 */
package io.vcpubal.lab.experiment;
