package io.vcpubal.guest.balloon;

import io.vcpubal.protocol.CpuSet;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The answer to every balloon operation, whatever happened: unlike qemu-ga's partial-success count, it
 * always carries the complete online set as re-read after the operation.
 *
 * @param status what happened
 * @param message one line for operators, e.g. {@code "online 0-1 (was 0-3)"}
 * @param before usable CPUs (online and not fenced) before the operation
 * @param online online CPUs after the operation (re-read from sysfs)
 * @param fenced online CPUs fenced after the operation (read back from the fence)
 * @param restorable offline CPUs that restore-all would bring back; non-empty means a lease must guard them
 * @param cpuErrors per-CPU errors in errno form ({@code "EBUSY: Device or resource busy"}), by CPU number
 * @param elapsedMicros time spent in the operation, including reads and verification
 */
public record BalloonResult(
        Status status,
        String message,
        CpuSet before,
        CpuSet online,
        CpuSet fenced,
        CpuSet restorable,
        SortedMap<Integer, String> cpuErrors,
        long elapsedMicros) {

    public enum Status {
        /** Every write succeeded and was verified (or nothing needed to change). */
        APPLIED,
        /** Refused before anything was written; {@code usable()} equals {@code before}. */
        REFUSED,
        /** A write failed and every change was undone; {@code usable()} equals {@code before}. */
        ROLLED_BACK,
        /** A write failed and the state could not be fully put back (or restore-all was incomplete). */
        FAILED
    }

    public BalloonResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(online, "online");
        Objects.requireNonNull(fenced, "fenced");
        Objects.requireNonNull(restorable, "restorable");
        cpuErrors = Collections.unmodifiableSortedMap(new TreeMap<>(cpuErrors));
    }

    /** The CPUs the guest can use: online and not fenced. */
    public CpuSet usable() {
        return online.minus(fenced);
    }

    public boolean succeeded() {
        return status == Status.APPLIED;
    }

    /** True when no restorable CPU is offline or fenced, so no lease is needed. */
    public boolean fullyRestored() {
        return restorable.isEmpty();
    }

    static SortedMap<Integer, String> noErrors() {
        return Collections.emptySortedMap();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(status + ": " + message + " [online " + online
                + (fenced.isEmpty() ? "" : ", fenced " + fenced) + ", " + elapsedMicros + " us");
        for (Map.Entry<Integer, String> error : cpuErrors.entrySet()) {
            text.append(", cpu").append(error.getKey()).append(": ").append(error.getValue());
        }
        return text.append(']').toString();
    }
}
