package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.CpuSet;
import java.util.Objects;

/**
 * The command "set online vCPUs": a target count or an explicit set, and the lease that guards a shrink.
 *
 * <p>Values are checked by the planner, not here, so that a bad request becomes a refusal that reports the
 * current state like every other answer.
 *
 * @param target how many or which CPUs should be online
 * @param leaseMillis how long a shrink may last without renewal; required (at least
 *     {@link BalloonPolicy#MIN_LEASE_MILLIS}) whenever the result leaves a CPU offline that
 *     {@link VcpuBalloon#restoreAll()} would bring back, ignored otherwise
 * @param mode how CPUs outside the target leave use; the target always names the CPUs left usable
 */
public record BalloonRequest(Target target, long leaseMillis, BalloonMode mode) {

    public BalloonRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
    }

    /** Online exactly {@code count} CPUs, choosing them in {@code xl vcpu-set} order. */
    public static BalloonRequest count(int count, long leaseMillis) {
        return new BalloonRequest(new Count(count), leaseMillis, BalloonMode.HOTPLUG);
    }

    /** Online exactly these CPUs. */
    public static BalloonRequest cpus(CpuSet cpus, long leaseMillis) {
        return new BalloonRequest(new Cpus(cpus), leaseMillis, BalloonMode.HOTPLUG);
    }

    public BalloonRequest in(BalloonMode newMode) {
        return new BalloonRequest(target, leaseMillis, newMode);
    }

    /** What should be online. */
    public sealed interface Target permits Count, Cpus {
    }

    /** Online this many CPUs: offline the highest-numbered first, online the lowest-numbered first. */
    public record Count(int count) implements Target {
        @Override
        public String toString() {
            return "count " + count;
        }
    }

    /** Online exactly these CPUs. */
    public record Cpus(CpuSet cpus) implements Target {
        public Cpus {
            Objects.requireNonNull(cpus, "cpus");
        }

        @Override
        public String toString() {
            return "set \"" + cpus + "\"";
        }
    }
}
