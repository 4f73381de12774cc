package io.vcpubal.lab.fleet;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fleet's synthetic host has more pCPUs than this machine, and {@code sched_setaffinity} refuses CPUs that
 * do not exist. So every pin the daemon makes is folded onto the real CPUs (synthetic pCPU k runs on real
 * CPU {@code real[k mod real.size]}) and really made; reading back, a thread whose kernel affinity is the fold
 * of what the daemon pinned reports the synthetic set, so the reconciler sees its own plan and does not re-pin.
 * Everything else goes to the real backend unchanged.
 */
public final class FoldingBackend implements HypervisorBackend {
    private final HypervisorBackend real;
    private final int[] realCpus;
    /** tid -> the synthetic set the daemon pinned it to. */
    private final Map<Integer, Pinned> pinned = new ConcurrentHashMap<>();

    private record Pinned(String vm, CpuSet synthetic) {}

    public FoldingBackend(HypervisorBackend real, CpuSet realCpus) {
        if (realCpus.isEmpty()) {
            throw new IllegalArgumentException("no real CPUs to fold onto");
        }
        this.real = real;
        this.realCpus = realCpus.toArray();
    }

    /** The real CPUs {@code synthetic} runs on. */
    public CpuSet fold(CpuSet synthetic) {
        return CpuSet.of(synthetic.stream().map(k -> realCpus[k % realCpus.length]));
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public void attach(VmConfig vm) {
        real.attach(vm);
    }

    @Override
    public void detach(String vm) {
        forget(vm);
        real.detach(vm);
    }

    @Override
    public VmProcess observe(String vm) throws BackendException {
        return real.observe(vm);
    }

    @Override
    public boolean stillRunning(VmProcess process) {
        return real.stillRunning(process);
    }

    @Override
    public void pinVcpu(String vm, VmProcess process, VcpuThread vcpu, CpuSet pcpus) throws BackendException {
        real.pinVcpu(vm, process, vcpu, fold(pcpus));
        pinned.put(vcpu.threadId(), new Pinned(vm, pcpus));
    }

    @Override
    public void pinEmulator(String vm, VmProcess process, CpuSet pcpus) throws BackendException {
        real.pinEmulator(vm, process, fold(pcpus));
    }

    @Override
    public CpuSet affinity(VcpuThread vcpu) throws BackendException {
        CpuSet now = real.affinity(vcpu);
        Pinned p = pinned.get(vcpu.threadId());
        if (p != null && fold(p.synthetic()).equals(now)) {
            return p.synthetic();
        }
        return now; // changed behind the daemon's back (or never pinned): what the kernel says
    }

    @Override
    public void release(String vm) {
        forget(vm);
        real.release(vm);
    }

    private void forget(String vm) {
        pinned.values().removeIf(p -> p.vm().equals(vm));
    }

    @Override
    public void close() {
        real.close();
    }
}
