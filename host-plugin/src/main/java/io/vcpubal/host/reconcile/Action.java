package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;

/** One step the reconciler takes for one VM. */
public sealed interface Action {
    String vm();

    /**
     * Ask the guest to keep exactly {@code online} usable (a set, never a count: the host decides which), the
     * others leaving use in {@code mode}.
     */
    record Balloon(String vm, CpuSet online, boolean leased, BalloonKind mode) implements Action {
        public Balloon(String vm, CpuSet online, boolean leased) {
            this(vm, online, leased, BalloonKind.HOTPLUG);
        }

        @Override
        public String toString() {
            return vm + ": balloon to " + online + (mode == BalloonKind.FENCE ? " (fence)" : "");
        }
    }

    /** Pin one vCPU thread to {@code cpus}. */
    record PinVcpu(String vm, int vcpu, CpuSet cpus) implements Action {
        @Override
        public String toString() {
            return vm + ": pin vCPU " + vcpu + " to " + cpus;
        }
    }

    /** Pin the VM's emulator (non-vCPU) threads to {@code cpus}. */
    record PinEmulator(String vm, CpuSet cpus) implements Action {
        @Override
        public String toString() {
            return vm + ": pin emulator to " + cpus;
        }
    }
}
