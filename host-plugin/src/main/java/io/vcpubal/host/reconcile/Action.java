package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;

/** One step the reconciler takes for one VM. */
public sealed interface Action {
    String vm();

    /** Ask the guest to keep exactly {@code online} online (a set, never a count: the host decides which). */
    record Balloon(String vm, CpuSet online, boolean leased) implements Action {
        @Override
        public String toString() {
            return vm + ": balloon to " + online;
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
