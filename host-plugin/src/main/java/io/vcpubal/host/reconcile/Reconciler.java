package io.vcpubal.host.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Executes each VM's steps in order, VMs in parallel: a slow or failing guest holds up only itself. Within a
 * VM the first failure stops that VM's remaining steps (a shrink must not be followed by pins that assume
 * it happened).
 */
public final class Reconciler {
    private final Actuator actuator;
    private final Executor executor;

    public Reconciler(Actuator actuator, Executor executor) {
        this.actuator = actuator;
        this.executor = executor;
    }

    /** Runs every VM's steps and waits for all of them. */
    public List<VmOutcome> apply(Map<String, List<Action>> stepsByVm) {
        Map<String, CompletableFuture<VmOutcome>> running = new LinkedHashMap<>();
        stepsByVm.forEach((vm, steps) -> running.put(vm, CompletableFuture.supplyAsync(() -> run(vm, steps), executor)));
        List<VmOutcome> out = new ArrayList<>();
        running.values().forEach(f -> out.add(f.join()));
        return out;
    }

    VmOutcome run(String vm, List<Action> steps) {
        List<Action> done = new ArrayList<>();
        for (Action a : steps) {
            try {
                actuator.execute(a);
                done.add(a);
            } catch (Exception e) {
                return new VmOutcome(vm, done, a, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        return new VmOutcome(vm, done, null, null);
    }
}
