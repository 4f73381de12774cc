package io.vcpubal.host.backend.libvirt;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.ProcTasks;
import io.vcpubal.host.backend.ProcessLiveness;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmDiscovery;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.CpuWeights;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.SchedParameter;
import org.libvirt.SchedUlongParameter;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code backend = libvirt}: every running domain with the vcpubal channel is managed, with no per-VM
 * configuration ({@link DomainPolicy} says which and with what weight), and everything goes through libvirt's
 * API so that libvirt's view and the kernel's agree: {@code virDomainPinVcpu} and {@code virDomainPinEmulator}
 * (live), the per-domain {@code cpu_shares} for fractional shares. libvirt keeps each vCPU thread in a cgroup
 * whose cpuset would silently override a {@code sched_setaffinity} made behind its back.
 *
 * <p>Where the Java binding (0.5.4) lacks a call: emulator pinning goes straight into {@code libvirt.so}
 * ({@link MissingCalls}); vCPU thread ids, which libvirt's public API does not give, come from
 * {@code query-cpus-fast} through libvirt's own monitor ({@code virDomainQemuMonitorCommand}, once per domain
 * start; libvirt then logs the domain as tainted "custom-monitor"). The QEMU pid is the thread group of those
 * threads, checked under /proc like the QMP backend checks its threads.
 *
 * <p>Lifecycle: libvirt's domain lifecycle events, the hook's hints and a full listing every
 * {@value #LIST_PERIOD_MS} ms (what an event missed) all lead to the same listing, which reports domains found
 * and lost. libvirtd may restart: {@link LibvirtConnection} reconnects, the listing finds the same domains, and
 * an unchanged QEMU process keeps its pins and the state recorded at adoption.
 */
public final class LibvirtBackend implements HypervisorBackend, VmDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtBackend.class);
    static final long LIST_PERIOD_MS = 10_000;
    private static final int LIST_ACTIVE = 1; // VIR_CONNECT_LIST_DOMAINS_ACTIVE
    private static final int XML_INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE
    private static final int METADATA_ELEMENT = 2; // VIR_DOMAIN_METADATA_ELEMENT
    private static final int AFFECT_LIVE_AND_CONFIG = 3;
    static final String CPU_SHARES = "cpu_shares";
    static final long MIN_SHARES = 2;

    /** One run of a domain as vcpubal adopted it. */
    private record Incarnation(int domainId, int pid, long startTicks, List<VcpuThread> threads, List<String> problems,
                               DomainOriginals originals) {}

    private final boolean manageAll;
    private final ProcTasks proc = new ProcTasks(Path.of("/proc"));
    private final ProcessLiveness liveness = new ProcessLiveness(Path.of("/proc"));
    private final LibvirtConnection connection;
    private final Map<String, Incarnation> incarnations = new ConcurrentHashMap<>();
    /** cpu_shares vcpubal last set per VM (absent = never, or restored). */
    private final Map<String, Long> sharesSet = new ConcurrentHashMap<>();
    private final ScheduledExecutorService discovery = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "libvirt-discovery");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean listingPending = new AtomicBoolean();
    private final Set<String> skippedLogged = ConcurrentHashMap.newKeySet();
    /** What the last listing reported to the listener (discovery thread only). */
    private Map<String, VmConfig> reported = new LinkedHashMap<>();
    private volatile Listener listener;

    public LibvirtBackend(String uri, boolean manageAll) {
        this.manageAll = manageAll;
        LifecycleListener events = (domain, event) -> {
            LOG.debug("libvirt event {} for {}", event, nameOf(domain));
            listSoon();
            return 0;
        };
        this.connection = new LibvirtConnection(uri, events, this::listSoon);
    }

    @Override
    public String name() {
        return "libvirt";
    }

    // ---- discovery ----

    @Override
    public void startDiscovery(Listener l) {
        this.listener = l;
        connection.start();
        discovery.scheduleWithFixedDelay(this::listSoon, LIST_PERIOD_MS, LIST_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void hint(String vm, String event) {
        LOG.info("hook: domain {} {}", vm, event);
        listSoon();
    }

    /** Coalesces every trigger into one listing on the discovery thread. */
    private void listSoon() {
        if (listingPending.compareAndSet(false, true)) {
            try {
                discovery.execute(this::list);
            } catch (RejectedExecutionException e) {
                listingPending.set(false); // closing
            }
        }
    }

    private void list() {
        listingPending.set(false);
        Listener l = listener;
        if (l == null || !connection.connected()) {
            return; // the reconnect lists again
        }
        Domain[] domains;
        try {
            domains = connection.get().listAllDomains(LIST_ACTIVE);
        } catch (LibvirtException | BackendException | RuntimeException e) {
            LOG.warn("cannot list libvirt domains: {}", LibvirtConnection.message(e));
            return;
        }
        Map<String, VmConfig> now = new LinkedHashMap<>();
        for (Domain d : domains) {
            String name = nameOf(d);
            try {
                DomainXml live = DomainXml.parse(d.getXMLDesc(0));
                DomainXml definition = d.isPersistent() == 1 ? DomainXml.parse(d.getXMLDesc(XML_INACTIVE)) : null;
                DomainPolicy.Decision decision = DomainPolicy.decide(live, definition, manageAll);
                if (decision.vm() == null) {
                    if (skippedLogged.add(name + ": " + decision.skipped())) {
                        LOG.info("domain {} left alone: {}", name, decision.skipped());
                    }
                    continue;
                }
                VmConfig vm = decision.vm();
                VmConfig before = reported.get(vm.name());
                if (definition == null && before != null && (live.meta() == null || live.meta().weight() == 0)) {
                    // transient: the live shares are vcpubal's own by now; keep the weight read at adoption
                    vm = vm.withWeight(before.weight());
                }
                now.put(vm.name(), vm);
            } catch (LibvirtException | IllegalArgumentException e) {
                LOG.warn("domain {}: {}", name, LibvirtConnection.message(e));
                if (reported.containsKey(name)) {
                    now.put(name, reported.get(name)); // a failed read is not a stop
                }
            }
        }
        for (VmConfig vm : now.values()) {
            if (!vm.equals(reported.get(vm.name()))) {
                l.found(vm);
            }
        }
        for (String gone : reported.keySet()) {
            if (!now.containsKey(gone)) {
                l.lost(gone, "the domain is no longer running");
            }
        }
        reported = now;
    }

    @Override
    public void persistWeight(String vm, int weight) throws BackendException {
        try {
            Domain d = domain(vm);
            boolean persistent = d.isPersistent() == 1;
            DomainXml settings = DomainXml.parse(d.getXMLDesc(persistent ? XML_INACTIVE : 0));
            DomainXml.Metadata meta = settings.meta() == null ? new DomainXml.Metadata(weight, 0, 0)
                    : settings.meta().withWeight(weight);
            d.setMetadata(METADATA_ELEMENT, meta.toXml(), DomainXml.PREFIX, DomainXml.NAMESPACE,
                    persistent ? AFFECT_LIVE_AND_CONFIG : MissingCalls.AFFECT_LIVE);
        } catch (LibvirtException | IllegalArgumentException e) {
            throw new BackendException("VM " + vm + ": cannot write the weight into the domain's metadata: "
                    + LibvirtConnection.message(e), e);
        }
    }

    // ---- actuation ----

    @Override
    public void attach(VmConfig vm) {
        // nothing to open: the connection is shared and every call looks the domain up
    }

    @Override
    public void detach(String vm) {
        incarnations.remove(vm);
        sharesSet.remove(vm);
    }

    @Override
    public VmProcess observe(String vm) throws BackendException {
        try {
            Domain d = domain(vm);
            if (d.isActive() != 1) {
                throw new BackendException("VM " + vm + ": domain is not running");
            }
            int id = d.getID();
            int vcpus = d.getInfo().nrVirtCpu;
            Incarnation inc = incarnations.get(vm);
            if (inc == null || inc.domainId() != id || inc.threads().size() + inc.problems().size() != vcpus
                    || proc.startTicks(inc.pid()).orElse(-1) != inc.startTicks()) {
                inc = adopt(vm, d, id, inc);
                incarnations.put(vm, inc);
            }
            return new VmProcess(inc.pid(), inc.startTicks(), inc.threads().size() + inc.problems().size(),
                    inc.threads(), inc.problems());
        } catch (LibvirtException e) {
            throw new BackendException("VM " + vm + ": " + LibvirtConnection.message(e), e);
        }
    }

    /** A new run of the domain (or the first one we see): thread ids, pid, and what it had before us. */
    private Incarnation adopt(String vm, Domain d, int id, Incarnation previous) throws LibvirtException, BackendException {
        List<VcpuThread> reported;
        try {
            reported = QmpVcpuThreads.parse(d.qemuMonitorCommand(QmpVcpuThreads.COMMAND, 0));
        } catch (IllegalArgumentException e) {
            throw new BackendException("VM " + vm + ": " + e.getMessage(), e);
        }
        if (reported.isEmpty()) {
            throw new BackendException("VM " + vm + ": QEMU reports no vCPU");
        }
        OptionalInt pid = proc.processOf(reported.get(0).threadId());
        OptionalLong start = pid.isPresent() ? proc.startTicks(pid.getAsInt()) : OptionalLong.empty();
        if (start.isEmpty()) {
            throw new BackendException("VM " + vm + ": vCPU 0's thread " + reported.get(0).threadId() + " is gone");
        }
        List<VcpuThread> valid = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (VcpuThread t : reported) {
            if (!proc.isTaskOf(pid.getAsInt(), t.threadId()) || !seen.add(t.threadId())) {
                problems.add("vCPU " + t.cpuIndex() + ": thread " + t.threadId() + " is not a distinct task of QEMU"
                        + " process " + pid.getAsInt() + " (not pinned)");
            } else {
                valid.add(t);
            }
        }
        boolean sameRun = previous != null && previous.domainId() == id && previous.pid() == pid.getAsInt()
                && previous.startTicks() == start.getAsLong();
        DomainOriginals originals = sameRun ? previous.originals() : readOriginals(d);
        if (!sameRun) {
            sharesSet.remove(vm);
            LOG.info("VM {}: adopted domain id {} (QEMU {}, {} vCPUs); before vcpubal: vCPU pins {}, emulator {},"
                    + " cpu_shares {}", vm, id, pid.getAsInt(), reported.size(), originals.vcpuPins(),
                    originals.emulatorPin(), originals.cpuShares());
        }
        return new Incarnation(id, pid.getAsInt(), start.getAsLong(), valid, problems, originals);
    }

    private DomainOriginals readOriginals(Domain d) throws LibvirtException, BackendException {
        int maplen = d.cpuMapLength(d.getConnect().nodeInfo().maxCpus());
        int[] maps = d.getVcpusCpuMaps();
        List<CpuSet> pins = new ArrayList<>();
        for (int off = 0; off + maplen <= maps.length; off += maplen) {
            pins.add(CpuMaps.of(maps, off, maplen));
        }
        CpuSet emulator = CpuMaps.of(MissingCalls.emulatorPin(d, maplen));
        return new DomainOriginals(pins, emulator, cpuShares(d));
    }

    private static long cpuShares(Domain d) throws LibvirtException {
        for (SchedParameter p : d.getSchedulerParameters()) {
            if (CPU_SHARES.equals(p.field)) {
                return Long.parseLong(p.getValueAsString());
            }
        }
        return -1;
    }

    @Override
    public boolean stillRunning(VmProcess process) {
        return liveness.alive(process.pid(), process.startTicks());
    }

    @Override
    public void pinVcpu(String vm, VmProcess process, VcpuThread vcpu, CpuSet pcpus) throws BackendException {
        Domain d = sameRun(vm, process);
        try {
            d.pinVcpu(vcpu.cpuIndex(), CpuMaps.asInts(CpuMaps.of(pcpus)));
        } catch (LibvirtException e) {
            throw new BackendException("VM " + vm + " vCPU " + vcpu.cpuIndex() + " to " + pcpus + ": "
                    + LibvirtConnection.message(e), e);
        }
    }

    @Override
    public void pinEmulator(String vm, VmProcess process, CpuSet pcpus) throws BackendException {
        MissingCalls.pinEmulator(sameRun(vm, process), CpuMaps.of(pcpus));
    }

    /** The domain, if it still runs the process that was observed (a restarted domain gets a new plan first). */
    private Domain sameRun(String vm, VmProcess process) throws BackendException {
        Incarnation inc = incarnations.get(vm);
        if (inc == null || inc.pid() != process.pid() || inc.startTicks() != process.startTicks()
                || !stillRunning(process)) {
            throw new BackendException("VM " + vm + ": QEMU process " + process.pid() + " is no longer the domain's");
        }
        try {
            return domain(vm);
        } catch (LibvirtException e) {
            throw new BackendException("VM " + vm + ": " + LibvirtConnection.message(e), e);
        }
    }

    /** Puts back each vCPU pin, the emulator pin and cpu_shares as they were at adoption, if that run still runs. */
    @Override
    public void release(String vm) {
        Incarnation inc = incarnations.remove(vm);
        if (inc == null || proc.startTicks(inc.pid()).orElse(-1) != inc.startTicks()) {
            sharesSet.remove(vm);
            return; // gone: nothing to restore
        }
        try {
            Domain d = domain(vm);
            DomainOriginals o = inc.originals();
            for (int v = 0; v < o.vcpuPins().size(); v++) {
                d.pinVcpu(v, CpuMaps.asInts(CpuMaps.of(o.vcpuPins().get(v))));
            }
            MissingCalls.pinEmulator(d, CpuMaps.of(o.emulatorPin()));
            restoreShares(vm, d, o);
            LOG.info("VM {}: restored vCPU pins {}, emulator {}, cpu_shares {}", vm, o.vcpuPins(), o.emulatorPin(),
                    o.cpuShares());
        } catch (LibvirtException | BackendException | RuntimeException e) {
            LOG.warn("VM {}: could not restore what the domain had before: {}", vm, LibvirtConnection.message(e));
        }
    }

    private void restoreShares(String vm, Domain d, DomainOriginals o) throws LibvirtException {
        if (sharesSet.remove(vm) != null && o.cpuShares() >= 0) {
            setShares(d, o.cpuShares());
        }
    }

    private static void setShares(Domain d, long shares) throws LibvirtException {
        SchedUlongParameter p = new SchedUlongParameter(shares);
        p.field = CPU_SHARES;
        d.setSchedulerParameters(new SchedParameter[] {p});
    }

    /**
     * Fractional shares through libvirt: the domain's {@code cpu_shares} (live), 1024 per pCPU of the VM's
     * share of the pool, restored when the VM has no pool vCPU any more. Thread ids are not needed: libvirt
     * weighs its own cgroup of the domain. As with any per-group weight, busy vCPUs of the same domain on
     * dedicated pCPUs dilute it (CFS spreads a group's weight over the CPUs it is busy on).
     */
    public CpuWeights cpuWeights() {
        return new CpuWeights() {
            @Override
            public String kind() {
                return "libvirt cpu_shares";
            }

            @Override
            public void apply(String vm, double share, Collection<Integer> vcpuTids, int pid) throws Exception {
                long shares = sharesFor(share);
                Long before = sharesSet.get(vm);
                if (before == null || before != shares) {
                    setShares(domain(vm), shares);
                    sharesSet.put(vm, shares);
                }
            }

            @Override
            public void release(String vm) {
                Incarnation inc = incarnations.get(vm);
                try {
                    if (inc != null) {
                        restoreShares(vm, domain(vm), inc.originals());
                    }
                } catch (LibvirtException | BackendException | RuntimeException e) {
                    LOG.warn("VM {}: could not restore cpu_shares: {}", vm, LibvirtConnection.message(e));
                }
            }

            @Override
            public void close() {
                for (String vm : List.copyOf(sharesSet.keySet())) {
                    release(vm);
                }
            }
        };
    }

    static long sharesFor(double share) {
        return Math.max(MIN_SHARES, Math.min(DomainXml.MAX_SHARES, Math.round(share * 1024)));
    }

    private Domain domain(String vm) throws LibvirtException, BackendException {
        Connect c = connection.get();
        return c.domainLookupByName(vm);
    }

    private static String nameOf(Domain d) {
        try {
            return d.getName();
        } catch (LibvirtException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        discovery.shutdownNow();
        connection.close();
        liveness.close();
    }
}
