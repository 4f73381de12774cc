package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldingBackendTest {
    /** Stands in for the kernel's affinity of each thread, as the real backend would set and read it. */
    private static final class KernelAffinity implements HypervisorBackend {
        final Map<Integer, CpuSet> affinity = new HashMap<>();
        CpuSet emulator;

        public String name() { return "qmp"; }
        public void attach(VmConfig vm) { }
        public void detach(String vm) { }
        public VmProcess observe(String vm) { throw new UnsupportedOperationException(); }
        public boolean stillRunning(VmProcess process) { return true; }
        public void pinVcpu(String vm, VmProcess p, VcpuThread v, CpuSet pcpus) { affinity.put(v.threadId(), pcpus); }
        public void pinEmulator(String vm, VmProcess p, CpuSet pcpus) { emulator = pcpus; }
        public CpuSet affinity(VcpuThread v) { return affinity.get(v.threadId()); }
        public void release(String vm) { }
        public void close() { }
    }

    private final KernelAffinity kernel = new KernelAffinity();
    private final FoldingBackend folding = new FoldingBackend(kernel, CpuSet.parse("0-1"));
    private final VmProcess process = new VmProcess(100, 1, 1, List.of(new VcpuThread(0, 101)), List.of());

    @Test
    void pinsLandOnRealCpusAndReadBackAsPlanned() throws Exception {
        folding.pinVcpu("a", process, new VcpuThread(0, 101), CpuSet.parse("200-203"));
        assertEquals(CpuSet.parse("0-1"), kernel.affinity.get(101), "synthetic 200-203 fold onto both real CPUs");
        assertEquals(CpuSet.parse("200-203"), folding.affinity(new VcpuThread(0, 101)), "the daemon sees its plan");
        folding.pinVcpu("a", process, new VcpuThread(0, 101), CpuSet.parse("7"));
        assertEquals(CpuSet.parse("1"), kernel.affinity.get(101));
        folding.pinEmulator("a", process, CpuSet.parse("0-255"));
        assertEquals(CpuSet.parse("0-1"), kernel.emulator);
    }

    @Test
    void anAffinityChangedBehindTheDaemonsBackIsReportedAsTheKernelHasIt() throws Exception {
        folding.pinVcpu("a", process, new VcpuThread(0, 101), CpuSet.parse("6"));
        kernel.affinity.put(101, CpuSet.parse("1")); // someone else pinned it
        assertEquals(CpuSet.parse("1"), folding.affinity(new VcpuThread(0, 101)));
        folding.release("a");
        kernel.affinity.put(101, CpuSet.parse("0"));
        assertEquals(CpuSet.parse("0"), folding.affinity(new VcpuThread(0, 101)), "released: no longer translated");
    }
}
