package io.vcpubal.host.metrics;

/**
 * What the daemon reports as it happens, for metrics. Called on the daemon's own threads (rounds, link
 * loops), so implementations must be cheap, thread-safe and never block; the default does nothing.
 */
public interface DaemonEvents {
    DaemonEvents NONE = new DaemonEvents() {};

    /** How a balloon request to a guest ended. */
    enum BalloonOutcome {
        APPLIED, REFUSED, FAILED, TIMEOUT;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One reconcile round took {@code seconds}; {@code replanned} when the plan changed in it. */
    default void round(double seconds, boolean replanned) {}

    /** A balloon request to {@code vm} in {@code mode} ("hotplug") ended after {@code seconds}. */
    default void balloon(String vm, String mode, BalloonOutcome outcome, double seconds) {}

    /** A lease renewal sent to {@code vm} was answered ({@code ok}) or failed. */
    default void leaseRenewal(String vm, boolean ok) {}

    /** The daemon no longer manages {@code vm} (removed, or its domain went away): its series may go. */
    default void removed(String vm) {}
}
