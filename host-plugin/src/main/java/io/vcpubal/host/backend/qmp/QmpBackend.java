package io.vcpubal.host.backend.qmp;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.LinuxAffinity;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Plain QEMU: vCPU thread ids from QMP {@code query-cpus-fast}, pinning with {@code sched_setaffinity}.
 * The same for KVM and TCG (MTTCG has one thread per vCPU too). Needs root or the QEMU user.
 */
public final class QmpBackend implements HypervisorBackend {
    private final Path procRoot;
    private final Duration timeout;
    private final Map<String, VmConfig> vms = new HashMap<>();
    private final Map<String, QmpClient> clients = new HashMap<>();

    public QmpBackend(Duration timeout) {
        this(Path.of("/proc"), timeout);
    }

    QmpBackend(Path procRoot, Duration timeout) {
        this.procRoot = procRoot;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "qmp";
    }

    @Override
    public void attach(VmConfig vm) {
        vms.put(vm.name(), vm);
    }

    @Override
    public void detach(String vm) {
        vms.remove(vm);
        QmpClient c = clients.remove(vm);
        if (c != null) {
            c.close();
        }
    }

    @Override
    public List<VcpuThread> vcpuThreads(String vm) throws BackendException {
        try {
            return client(vm).queryVcpuThreads();
        } catch (QmpException e) {
            // The connection may be dead (QEMU restarted): drop it so the next call reconnects.
            QmpClient c = clients.remove(vm);
            if (c != null) {
                c.close();
            }
            throw new BackendException("VM " + vm + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pinVcpu(String vm, int vcpu, CpuSet pcpus) throws BackendException {
        int tid = tidOf(vm, vcpu);
        try {
            LinuxAffinity.set(tid, pcpus.toBitSet());
        } catch (LinuxAffinity.AffinityException e) {
            throw new BackendException("VM " + vm + " vCPU " + vcpu + " to " + pcpus + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CpuSet vcpuAffinity(String vm, int vcpu) throws BackendException {
        int tid = tidOf(vm, vcpu);
        try {
            return CpuSet.of(LinuxAffinity.get(tid));
        } catch (LinuxAffinity.AffinityException e) {
            throw new BackendException("VM " + vm + " vCPU " + vcpu + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pinEmulator(String vm, CpuSet pcpus) throws BackendException {
        List<VcpuThread> vcpus = vcpuThreads(vm);
        if (vcpus.isEmpty()) {
            throw new BackendException("VM " + vm + ": QEMU reports no vCPU");
        }
        Set<Integer> vcpuTids = new HashSet<>();
        vcpus.forEach(v -> vcpuTids.add(v.threadId()));
        int pid = processOf(vcpus.get(0).threadId());
        for (int tid : threadsOf(pid)) {
            if (vcpuTids.contains(tid)) {
                continue;
            }
            try {
                LinuxAffinity.set(tid, pcpus.toBitSet());
            } catch (LinuxAffinity.AffinityException e) {
                // A helper thread may exit between listing and pinning; anything else is a real failure.
                if (Files.isDirectory(procRoot.resolve(pid + "/task/" + tid))) {
                    throw new BackendException("VM " + vm + " emulator thread: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The process (thread group) a thread belongs to, from the "Tgid:" line of /proc/TID/status. */
    int processOf(int tid) throws BackendException {
        try (Stream<String> lines = Files.lines(procRoot.resolve(tid + "/status"))) {
            return lines.filter(l -> l.startsWith("Tgid:"))
                    .map(l -> Integer.parseInt(l.substring(5).trim()))
                    .findFirst()
                    .orElseThrow(() -> new BackendException("no Tgid in /proc/" + tid + "/status"));
        } catch (IOException | NumberFormatException e) {
            throw new BackendException("cannot find the process of thread " + tid + ": " + e.getMessage(), e);
        }
    }

    private List<Integer> threadsOf(int pid) throws BackendException {
        try (Stream<Path> tasks = Files.list(procRoot.resolve(pid + "/task"))) {
            return tasks.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d+"))
                    .map(Integer::parseInt)
                    .toList();
        } catch (IOException e) {
            throw new BackendException("cannot list threads of QEMU process " + pid + ": " + e.getMessage(), e);
        }
    }

    private int tidOf(String vm, int vcpu) throws BackendException {
        for (VcpuThread t : vcpuThreads(vm)) {
            if (t.cpuIndex() == vcpu) {
                return t.threadId();
            }
        }
        throw new BackendException("VM " + vm + " has no vCPU " + vcpu);
    }

    private QmpClient client(String vm) throws QmpException {
        VmConfig cfg = vms.get(vm);
        if (cfg == null) {
            throw new QmpException("VM " + vm + " is not attached to the QMP backend");
        }
        QmpClient c = clients.get(vm);
        if (c == null) {
            c = QmpClient.connect(cfg.qmpSocket(), timeout);
            clients.put(vm, c);
        }
        return c;
    }

    @Override
    public void close() {
        clients.values().forEach(QmpClient::close);
        clients.clear();
    }
}
