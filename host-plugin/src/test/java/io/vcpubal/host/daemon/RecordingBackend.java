package io.vcpubal.host.daemon;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A backend whose VMs are synthetic: every VM has {@code vcpus} threads with made-up tids, pins land in a map
 * (the "kernel"), and a test can make a VM's observation fail, hang, or its process vanish or restart. The
 * daemon's own logic is what is under test; real QEMU is covered by QmpBackendTest and the lab's ITs.
 */
class RecordingBackend implements HypervisorBackend {
    private final Map<String, Integer> vcpus = new ConcurrentHashMap<>();
    private final Map<String, Integer> pids = new ConcurrentHashMap<>();
    final Map<Integer, CpuSet> kernel = new ConcurrentHashMap<>();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> failObserve = new ConcurrentHashMap<>();
    final Map<String, CountDownLatch> hangObserve = new ConcurrentHashMap<>();
    /** vCPU index whose thread is reported as not a task of the VM's process (a lying hypervisor reply). */
    final Map<String, Integer> foreignThread = new ConcurrentHashMap<>();
    final CpuSet allCpus;

    RecordingBackend(CpuSet allCpus) {
        this.allCpus = allCpus;
    }

    RecordingBackend vm(String name, int vcpuCount, int pid) {
        vcpus.put(name, vcpuCount);
        pids.put(name, pid);
        for (VcpuThread t : threads(name)) {
            kernel.put(t.threadId(), allCpus);
        }
        return this;
    }

    /** The VM's QEMU exits and a new one (new pid, new tids) takes its place. */
    void restart(String name, int newPid) {
        pids.put(name, newPid);
        for (VcpuThread t : threads(name)) {
            kernel.put(t.threadId(), allCpus);
        }
    }

    List<VcpuThread> threads(String vm) {
        List<VcpuThread> out = new ArrayList<>();
        for (int v = 0; v < vcpus.get(vm); v++) {
            out.add(new VcpuThread(v, pids.get(vm) * 100 + v));
        }
        return out;
    }

    /** The union of the pins of the VM's current threads, as the "kernel" has them. */
    CpuSet held(String vm) {
        CpuSet s = CpuSet.empty();
        for (VcpuThread t : threads(vm)) {
            s = s.union(kernel.get(t.threadId()));
        }
        return s;
    }

    CpuSet pin(String vm, int vcpu) {
        return kernel.get(threads(vm).get(vcpu).threadId());
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void attach(VmConfig vm) {}

    @Override
    public void detach(String vm) {}

    @Override
    public VmProcess observe(String vm) throws BackendException {
        CountDownLatch hang = hangObserve.get(vm);
        if (hang != null) {
            try {
                hang.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String why = failObserve.get(vm);
        if (why != null) {
            throw new BackendException("VM " + vm + ": " + why);
        }
        Integer foreign = foreignThread.get(vm);
        if (foreign != null) {
            List<VcpuThread> accepted = new ArrayList<>(threads(vm));
            accepted.removeIf(t -> t.cpuIndex() == foreign);
            return new VmProcess(pids.get(vm), pids.get(vm), vcpus.get(vm), accepted,
                    List.of("vCPU " + foreign + ": thread 1 is not a task of QEMU " + pids.get(vm)));
        }
        return new VmProcess(pids.get(vm), pids.get(vm), vcpus.get(vm), threads(vm), List.of());
    }

    @Override
    public boolean stillRunning(VmProcess process) {
        return pids.containsValue(process.pid()) && !failObserve.getOrDefault("gone", "").equals(String.valueOf(process.pid()));
    }

    @Override
    public void pinVcpu(String vm, VmProcess process, VcpuThread vcpu, CpuSet pcpus) {
        kernel.put(vcpu.threadId(), pcpus);
        log.add(vm + " vCPU " + vcpu.cpuIndex() + " -> " + pcpus);
    }

    @Override
    public void pinEmulator(String vm, VmProcess process, CpuSet pcpus) {
        log.add(vm + " emulator -> " + pcpus);
    }

    @Override
    public CpuSet affinity(VcpuThread vcpu) {
        return kernel.getOrDefault(vcpu.threadId(), allCpus);
    }

    @Override
    public void release(String vm) {
        for (VcpuThread t : threads(vm)) {
            kernel.put(t.threadId(), allCpus);
        }
        log.add(vm + " released");
    }

    @Override
    public void close() {}
}
