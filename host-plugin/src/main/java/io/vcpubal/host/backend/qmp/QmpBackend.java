package io.vcpubal.host.backend.qmp;

import io.vcpubal.host.backend.AffinityLedger;
import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.ProcTasks;
import io.vcpubal.host.backend.ProcessLiveness;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain QEMU: vCPU thread ids from QMP {@code query-cpus-fast}, pinning with {@code sched_setaffinity}. The same
 * for KVM and TCG (MTTCG has one thread per vCPU too). Needs root or the QEMU user.
 *
 * <p>QMP serves one client at a time, so each observation connects, asks and disconnects: vcpubal never holds
 * a VM's monitor longer than one call (bounded by the call timeout, connect included). Still give vcpubal its
 * own {@code -qmp} socket: while an operator holds the only one, observations fail and the VM keeps its last
 * pins.
 *
 * <p>Thread ids are not trusted blindly: QEMU's pid comes from the QMP socket's peer credentials (or the VM's
 * {@code pidfile=}, which must agree), and a reported vCPU thread that is not a task of that process is not
 * pinned and marks the VM degraded. Each thread's affinity before its first pin is kept so {@link #release}
 * can put it back.
 */
public final class QmpBackend implements HypervisorBackend {
    private static final Logger LOG = LoggerFactory.getLogger(QmpBackend.class);

    private final ProcTasks proc;
    private final ProcessLiveness liveness;
    private final Duration timeout;
    private final Map<String, VmConfig> vms = new ConcurrentHashMap<>();
    /** Per VM: tid -> affinity before vcpubal first pinned it, with the process it belonged to. */
    private final Map<String, Map<Integer, AffinityLedger.Entry>> originals = new ConcurrentHashMap<>();
    private final AffinityLedger ledger;

    /** A backend that forgets original affinities when the daemon dies (see {@link AffinityLedger}). */
    public QmpBackend(Duration timeout) {
        this(timeout, AffinityLedger.none());
    }

    public QmpBackend(Duration timeout, AffinityLedger ledger) {
        this(Path.of("/proc"), timeout, ledger);
    }

    QmpBackend(Path procRoot, Duration timeout, AffinityLedger ledger) {
        this.proc = new ProcTasks(procRoot);
        this.liveness = new ProcessLiveness(procRoot);
        this.timeout = timeout;
        this.ledger = ledger;
    }

    @Override
    public String name() {
        return "qmp";
    }

    @Override
    public void attach(VmConfig vm) {
        vms.put(vm.name(), vm);
        // A daemon killed before it could restore left what the threads had before; keep what is still alive.
        Map<Integer, AffinityLedger.Entry> kept = new ConcurrentHashMap<>();
        ledger.load(vm.name()).forEach((tid, e) -> {
            if (alive(e)) {
                kept.put(tid, e);
            }
        });
        if (!kept.isEmpty()) {
            LOG.info("VM {}: {} threads pinned by an earlier daemon; their affinity before it is kept for release",
                    vm.name(), kept.size());
            originals.put(vm.name(), kept);
        }
    }

    private boolean alive(AffinityLedger.Entry e) {
        return proc.isTaskOf(e.pid(), e.tid()) && proc.startTicks(e.pid()).orElse(-1) == e.startTicks();
    }

    @Override
    public void detach(String vm) {
        vms.remove(vm);
        originals.remove(vm);
    }

    @Override
    public VmProcess observe(String vm) throws BackendException {
        VmConfig cfg = vms.get(vm);
        if (cfg == null) {
            throw new BackendException("VM " + vm + " is not attached to the QMP backend");
        }
        List<VcpuThread> reported;
        int pid;
        try (QmpClient qmp = QmpClient.connect(cfg.qmpSocket(), timeout)) {
            pid = qmp.peerPid();
            reported = qmp.queryVcpuThreads();
        } catch (QmpException e) {
            throw new BackendException("VM " + vm + ": " + e.getMessage(), e);
        }
        if (cfg.pidfile() != null) {
            int fromFile = readPidfile(vm, cfg.pidfile());
            if (fromFile != pid) {
                throw new BackendException("VM " + vm + ": pidfile " + cfg.pidfile() + " names process " + fromFile
                        + " but the QMP socket belongs to process " + pid);
            }
        }
        OptionalLong start = proc.startTicks(pid);
        if (start.isEmpty()) {
            throw new BackendException("VM " + vm + ": QEMU process " + pid + " vanished while observed");
        }
        List<VcpuThread> valid = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (VcpuThread t : reported) {
            if (!proc.isTaskOf(pid, t.threadId())) {
                problems.add("vCPU " + t.cpuIndex() + ": thread " + t.threadId() + " is not a task of QEMU process "
                        + pid + " (not pinned)");
            } else if (!seen.add(t.threadId())) {
                problems.add("vCPU " + t.cpuIndex() + ": thread " + t.threadId() + " reported twice (not pinned)");
            } else {
                valid.add(t);
            }
        }
        return new VmProcess(pid, start.getAsLong(), reported.size(), valid, problems);
    }

    @Override
    public void pinVcpu(String vm, VmProcess process, VcpuThread vcpu, CpuSet pcpus) throws BackendException {
        pinThread(vm, process, vcpu.threadId(), pcpus, "vCPU " + vcpu.cpuIndex());
    }

    @Override
    public void pinEmulator(String vm, VmProcess process, CpuSet pcpus) throws BackendException {
        Set<Integer> vcpuTids = new HashSet<>();
        process.vcpus().forEach(v -> vcpuTids.add(v.threadId()));
        for (int tid : proc.tasksOf(process.pid())) {
            if (vcpuTids.contains(tid)) {
                continue;
            }
            try {
                pinThread(vm, process, tid, pcpus, "emulator thread");
            } catch (BackendException e) {
                // A helper thread may exit between listing and pinning; anything else is a real failure.
                if (proc.isTaskOf(process.pid(), tid)) {
                    throw e;
                }
            }
        }
    }

    private void pinThread(String vm, VmProcess process, int tid, CpuSet pcpus, String what) throws BackendException {
        // The process may have been replaced since it was observed (a restarted QEMU can reuse tids).
        if (!proc.isTaskOf(process.pid(), tid) || proc.startTicks(process.pid()).orElse(-1) != process.startTicks()) {
            throw new BackendException("VM " + vm + " " + what + ": thread " + tid + " is no longer a task of QEMU "
                    + "process " + process.pid() + " (QEMU restarted or stopped)");
        }
        try {
            Map<Integer, AffinityLedger.Entry> saved = originals.computeIfAbsent(vm, k -> new ConcurrentHashMap<>());
            AffinityLedger.Entry before = saved.get(tid);
            if (before == null || before.pid() != process.pid() || before.startTicks() != process.startTicks()) {
                saved.put(tid, new AffinityLedger.Entry(process.pid(), process.startTicks(), tid,
                        CpuSet.of(LinuxAffinity.get(tid))));
                saved.values().removeIf(e -> !alive(e));
                ledger.save(vm, saved.values()); // before the pin: a crash right after it still knows the original
            }
            LinuxAffinity.set(tid, pcpus.toBitSet());
        } catch (LinuxAffinity.AffinityException e) {
            throw new BackendException("VM " + vm + " " + what + " to " + pcpus + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackendException("VM " + vm + " " + what + ": cannot record its affinity before pinning: " + e, e);
        }
    }

    @Override
    public boolean stillRunning(VmProcess process) {
        return liveness.alive(process.pid(), process.startTicks());
    }

    @Override
    public void release(String vm) {
        Map<Integer, AffinityLedger.Entry> saved = originals.remove(vm);
        if (saved == null) {
            return;
        }
        int restored = 0;
        for (AffinityLedger.Entry o : saved.values()) {
            if (!alive(o)) {
                continue; // that QEMU is gone: nothing to restore, and the tid may belong to someone else now
            }
            try {
                LinuxAffinity.set(o.tid(), o.affinity().toBitSet());
                restored++;
            } catch (LinuxAffinity.AffinityException ex) {
                LOG.debug("VM {}: cannot restore thread {}: {}", vm, o.tid(), ex.getMessage());
            }
        }
        ledger.remove(vm);
        LOG.debug("VM {}: restored the affinity of {} threads", vm, restored);
    }

    private static int readPidfile(String vm, Path pidfile) throws BackendException {
        try {
            String text = Files.readString(pidfile).trim();
            if (text.length() > 10 || !text.matches("\\d+")) {
                throw new BackendException("VM " + vm + ": pidfile " + pidfile + " does not hold a pid");
            }
            return Integer.parseInt(text);
        } catch (IOException e) {
            throw new BackendException("VM " + vm + ": cannot read pidfile " + pidfile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        liveness.close(); // nothing else is held open between calls
    }
}
