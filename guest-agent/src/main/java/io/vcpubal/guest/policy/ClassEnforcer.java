package io.vcpubal.guest.policy;

import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.util.List;
import java.util.OptionalLong;

/**
 * Keeps the host's process classes in force: the agent's own cgroup groups on a guest without systemd
 * ({@link ProcessClasses}), the units' properties on a guest run by systemd
 * ({@link io.vcpubal.guest.policy.systemd.UnitClasses}).
 */
public interface ClassEnforcer extends ClassView {
    /**
     * Carries out a SetProcessClasses: classes not listed go, the listed ones are made or updated (one that
     * fails is reported and left out), the lease restarts.
     *
     * @throws ClassSpecs.Refusal when the request is invalid or the agent is stopping; nothing changed then
     */
    ProcessClassesResult apply(SetProcessClasses request) throws ClassSpecs.Refusal;

    /** On the agent's timer: ends an expired lease, else keeps the processes started since in their classes. */
    void scan();

    /** Whether a class that had no process at the last call has one now (the agent then reports at once). */
    boolean woke();

    /** Milliseconds until the class lease runs out; empty when no class is in force. */
    OptionalLong millisUntilExpiry();

    /** Agent start: undoes what a previous run that died left in force; returns the classes undone. */
    List<String> removeLeftovers();

    /** Agent stop: undoes every class and refuses later requests. */
    void removeAllAndStop();
}
