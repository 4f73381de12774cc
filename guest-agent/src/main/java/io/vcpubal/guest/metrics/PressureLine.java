package io.vcpubal.guest.metrics;

/**
 * One line of a PSI file.
 *
 * @param avg10 percent of the last 10 s in which tasks were stalled
 * @param avg60 the same over 60 s
 * @param avg300 the same over 300 s
 * @param totalMicros cumulative stall time in microseconds
 */
public record PressureLine(double avg10, double avg60, double avg300, long totalMicros) {
}
