/**
 * Facts for the host: one parser per /proc file (each with a root {@code Path} and a
 * {@code parse(List<String>)} that never throws), the top-N {@link io.vcpubal.guest.metrics.ProcessSampler}
 * and {@link io.vcpubal.guest.metrics.ContentionSignals} computed from two system samples.
 */
package io.vcpubal.guest.metrics;
