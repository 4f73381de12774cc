package io.vcpubal.host.reconcile;

/** Carries out one action (backend pin or guest balloon); throws with a message naming the VM on failure. */
@FunctionalInterface
public interface Actuator {
    void execute(Action action) throws Exception;
}
