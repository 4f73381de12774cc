package io.vcpubal.host.reconcile;

import java.util.List;

/**
 * How reconciling one VM went: the actions done, and the one that failed (the rest of that VM's steps are
 * skipped and retried next round; other VMs are not affected).
 */
public record VmOutcome(String vm, List<Action> done, Action failed, String error) {
    public VmOutcome {
        done = List.copyOf(done);
    }

    public boolean succeeded() {
        return failed == null;
    }
}
