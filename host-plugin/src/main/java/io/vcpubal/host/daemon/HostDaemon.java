package io.vcpubal.host.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.metrics.DaemonEvents;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmDiscovery;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.CoalescingSelectStrategy;
import io.vcpubal.host.link.GuestCommandException;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.link.LinkTicker;
import io.vcpubal.host.plan.Assignment;
import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.policy.ClassPlan;
import io.vcpubal.host.policy.VmClassPlan;
import io.vcpubal.host.reconcile.Action;
import io.vcpubal.host.reconcile.BalloonKind;
import io.vcpubal.host.reconcile.BalloonModes;
import io.vcpubal.host.reconcile.GuestView;
import io.vcpubal.host.reconcile.Observed;
import io.vcpubal.host.reconcile.OnlineSets;
import io.vcpubal.host.reconcile.ReconcileSteps;
import io.vcpubal.host.reconcile.Reconciler;
import io.vcpubal.host.reconcile.VmOutcome;
import io.vcpubal.host.reconcile.VmSteps;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host daemon's lifecycle and its reconcile loop. One round, on the "reconcile" thread:
 *
 * <ol>
 *   <li><b>Observe</b> the VMs whose QEMU process is new, gone or not described for {@link #REOBSERVE_ROUNDS} periods, in
 *       parallel, each bounded by the backend's deadline; a VM whose
 *       backend does not answer keeps its last observation (and so its pins and its pCPUs) while its process
 *       still runs, and loses its share once the process is gone.</li>
 *   <li><b>Plan</b> (pure {@link Planner}) and turn each VM's plan into steps (pure {@link ReconcileSteps}).</li>
 *   <li><b>Pin</b> across VMs in the order {@link Reconciler} documents (restrict, then expand).</li>
 *   <li><b>Weigh</b>: each VM's vCPU threads in its own cgroup, CPU weight by share ({@link CpuWeights}).</li>
 *   <li><b>Balloon</b>: send each guest the online set wanted, without waiting; the answer triggers a round.</li>
 * </ol>
 * Nothing in a round waits for a guest. {@link #status} and {@link #setWeight} never wait for a round: they
 * read or change the state under a short lock, so they answer while a guest or a QEMU hangs.
 *
 * <p>Rounds come from a period, from guest events (coalesced, at most {@link #MIN_ROUND_SPACING_MS} apart
 * in total: a chatty guest cannot drive the loop) and from a one-second liveness check of every QEMU process
 * (a restarted QEMU is found within a second). Leases are renewed on their own thread.
 *
 * <p>The set of VMs changes at run time ({@link VmOrigin}): {@code add-vm}/{@code remove-vm} over the control
 * socket, a SIGHUP re-reading host.conf ({@link #reload}), and a backend that finds VMs itself
 * ({@link VmDiscovery}: libvirt). Every change of the set runs on the reconcile thread, between rounds, and is
 * followed by a re-plan. A VM whose QEMU exits loses its share at once; its observations back off (1 s doubling
 * to {@value #MAX_OBSERVE_BACKOFF_MS} ms), and after {@value #GONE_GRACE_MS} ms without a process it is
 * released for good instead of being retried forever.
 */
public final class HostDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostDaemon.class);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** Event-driven rounds are at least this far apart: at most 4 a second, whatever the guests send. */
    static final long MIN_ROUND_SPACING_MS = 250;
    /** How long close() gives all guests together to take their vCPUs back. */
    static final Duration RESTORE_DEADLINE = Duration.ofSeconds(5);
    static final long MAX_OBSERVE_BACKOFF_MS = 10_000;
    static final long GONE_GRACE_MS = 30_000;
    static final int MAX_OBSERVERS = 32;
    /**
     * A running QEMU is asked for its vCPU threads again every this many periodic rounds (30 s by default); in
     * between, a round reuses what it said while the same process (pid and start time, checked every second)
     * runs: its vCPU threads do not change without a host-side vCPU hotplug, which is noticed within that time,
     * as is a monitor that stopped answering. Asking every VM's monitor every round cost the most of the daemon's
     * CPU with hundreds of VMs (the fleet simulator measured it).
     */
    static final int REOBSERVE_ROUNDS = 6;

    private final HostConfig config;
    private final HostTopology topology;
    private final ReservedCpus reserved;
    private final HypervisorBackend backend;
    /** The backend's discovery, null when VMs come only from the config and the control socket. */
    private final VmDiscovery discovery;
    private final Duration observeTimeout;
    private final CpuWeights weights;
    /** Process policies (classes from host.conf); disabled when there are none. */
    private final ClassPolicies policies;
    /** The class plan of the last round; what a facts report is compared with. */
    private ClassPlan lastClassPlan;
    /**
     * The agent links' loop wakes at most once per this window while busy ({@link CoalescingSelectStrategy});
     * {@code -Dvcpubal.link-coalesce-ms=0} turns it off.
     */
    static final Duration LINK_COALESCE = Duration.ofMillis(Long.getLong("vcpubal.link-coalesce-ms", 10));

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
            NioIoHandler.newFactory(SelectorProvider.provider(), CoalescingSelectStrategy.factory(LINK_COALESCE)));
    private final LinkTicker ticker = new LinkTicker(loop);
    private final ScheduledExecutorService reconcileThread = singleThread("reconcile");
    private final ScheduledExecutorService renewThread = singleThread("lease-renewal");
    private final ExecutorService observers = observerPool();
    private final Object lock = new Object();
    private final Map<String, VmState> vms = new LinkedHashMap<>();
    private final AtomicBoolean roundPending = new AtomicBoolean();
    private final AtomicBoolean classCheckScheduled = new AtomicBoolean();
    private volatile long lastClassCheckMs;
    private long classPlanChecks;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Reconciler reconciler = new Reconciler(this::pin);
    private volatile long lastRoundStartMs;
    /** {@link #GONE_GRACE_MS}; shorter in tests. */
    volatile long goneGraceMs = GONE_GRACE_MS;
    private Plan lastPlan;
    /** The plan the previous round carried out: a set-weight re-plans between rounds, and counts as a re-plan too. */
    private Plan roundPlan;
    private Plan loggedPlan;
    // --- accounting (policy-host): guest-view vs host-true CPU for `vcpubal-host top` ---
    private final io.vcpubal.host.accounting.HostAccounting accounting =
            new io.vcpubal.host.accounting.HostAccounting(java.nio.file.Path.of("/"));
    // --- end accounting ---
    /** Where rounds, balloons and renewals are reported for metrics; set before {@link #start}. */
    private volatile DaemonEvents events = DaemonEvents.NONE;

    public HostDaemon(HostConfig config, HostTopology topology, HypervisorBackend backend) {
        this(config, topology, backend, CpuWeights.none(), Duration.ofSeconds(3));
    }

    /**
     * @param observeTimeout how long a round waits for one VM's observation before going on without it
     */
    public HostDaemon(HostConfig config, HostTopology topology, HypervisorBackend backend, CpuWeights weights,
                      Duration observeTimeout) {
        this.discovery = backend instanceof VmDiscovery d ? d : null;
        config.vms().forEach(this::checkAddable);
        this.config = config;
        this.topology = topology;
        this.reserved = ReservedCpus.parse(config.reservedCpus(), config.emulatorCpus());
        reserved.checkAgainst(topology);
        this.backend = backend;
        this.weights = weights;
        this.observeTimeout = observeTimeout;
        this.policies = new ClassPolicies(config.classes(), config.leaseMs(), reserved.assignable(topology).size());
    }

    /** Reports rounds, balloons and lease renewals to {@code events} (metrics); call before {@link #start}. */
    public void reportTo(DaemonEvents events) {
        this.events = events;
    }

    public void start() {
        synchronized (lock) {
            for (VmConfig vm : config.vms()) {
                addLocked(vm, VmOrigin.CONFIG);
            }
        }
        if (discovery != null) {
            discovery.startDiscovery(new VmDiscovery.Listener() {
                @Override
                public void found(VmConfig vm) {
                    onReconcileThread(() -> adoptDiscovered(vm));
                }

                @Override
                public void lost(String vm, String why) {
                    onReconcileThread(() -> remove(vm, why, false));
                }
            });
        } else if (config.vms().isEmpty()) {
            LOG.info("no VM configured yet: add them with `vcpubal-host add-vm` or vm lines and SIGHUP");
        }
        reconcileThread.scheduleWithFixedDelay(this::roundSafely, 0, config.reconcileIntervalMs(), TimeUnit.MILLISECONDS);
        reconcileThread.scheduleWithFixedDelay(this::checkLiveness, 1000, 1000, TimeUnit.MILLISECONDS);
        long renewEvery = Math.max(200, config.leaseMs() / 3);
        renewThread.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        LOG.info("managing {} VMs{} on host CPUs {} (reserved for host {}, emulator {}) with the {} backend,"
                + " CPU weights: {}", config.vms().size(), discovery == null ? "" : " plus those the backend finds",
                topology.cpus(), reserved.forHost(), reserved.forEmulator(), backend.name(), weights.kind());
    }

    /** A VM the daemon may manage: a name, and a QMP socket unless the backend finds its VMs itself. */
    private void checkAddable(VmConfig vm) {
        if (discovery != null) {
            throw new IllegalArgumentException("the " + backend.name() + " backend finds its VMs itself: VM " + vm.name()
                    + " cannot be added by hand");
        }
        if (vm.qmpSocket() == null) {
            throw new IllegalArgumentException("VM " + vm.name() + " has no qmp= socket");
        }
    }

    private void addLocked(VmConfig vm, VmOrigin origin) {
        backend.attach(vm);
        GuestLink link = vm.agentSocket() == null ? null
                : new GuestLink(vm.name(), vm.agentSocket(), ticker, l -> requestReconcile());
        if (link != null) { // every report: accounting, and demand or classes when they are on
            link.onFacts(facts -> factsArrived(vm.name(), link, facts));
        }
        vms.put(vm.name(), new VmState(vm, link, origin));
    }

    /** On the event loop: a facts report moves the VM's demand; a change re-plans in the next round. */
    private void factsArrived(String vm, GuestLink link, GuestFacts facts) {
        // --- accounting (policy-host): sample its vCPU threads' schedstat (no hypervisor call) with the report ---
        VmProcess observed;
        synchronized (lock) {
            VmState s = vms.get(vm);
            if (s == null || s.link != link) {
                return;
            }
            observed = s.process;
        }
        accounting.offer(vm, facts, observed);
        if (!config.demandAware() && !policies.enabled()) {
            return;
        }
        // --- end accounting ---
        java.util.Optional<io.vcpubal.host.accounting.HostTrue.Interval> measured = accounting.latest(vm);
        boolean changed;
        synchronized (lock) {
            VmState s = vms.get(vm);
            if (s == null || s.link != link || s.maxVcpus() == 0) {
                return;
            }
            // what the host saw of its vCPUs bounds what the guest may claim, and tells host-true from guest view
            measured.ifPresent(m -> {
                s.hostFactor = m.factor() >= 0 ? m.factor() : Double.NaN;
                s.wantCpus = m.wantCpus() >= 0 ? m.wantCpus() : Double.NaN;
            });
            changed = false;
            if (config.demandAware()) {
                double before = s.demand.demand(s.maxVcpus());
                changed = s.demand.offer(facts, System.currentTimeMillis(), s.maxVcpus());
                if (changed) {
                    LOG.debug("VM {}: demand {} -> {} pCPUs", vm, before, s.demand.demand(s.maxVcpus()));
                }
            }
            if (policies.enabled()) {
                s.classUsage.offer(facts, System.currentTimeMillis(), s.maxVcpus());
            }
        }
        if (changed) {
            requestReconcile();
        } else if (policies.enabled()) {
            checkClassPlanSoon();
        }
    }

    /**
     * A class that woke or went quiet changes weights or quotas, which the next round carries out. Whether it
     * did takes a plan of every VM's classes, so reports do not each make one: a check runs at most every
     * {@link #MIN_ROUND_SPACING_MS} on the reconcile thread and covers the reports since; none is needed
     * while a round is pending, as that round plans from the newest usage.
     */
    private void checkClassPlanSoon() {
        if (roundPending.get() || !classCheckScheduled.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastClassCheckMs + MIN_ROUND_SPACING_MS - System.currentTimeMillis());
        try {
            reconcileThread.schedule(this::checkClassPlan, wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            classCheckScheduled.set(false); // closing
        }
    }

    private void checkClassPlan() {
        classCheckScheduled.set(false); // reports from now on schedule the next check
        lastClassCheckMs = System.currentTimeMillis();
        boolean changed;
        synchronized (lock) {
            classPlanChecks++;
            changed = !policies.plan(vms.values()).equals(lastClassPlan);
        }
        if (changed) {
            requestReconcile();
        }
    }

    /** Class-plan checks made on reports so far (the bound on their cost is one per round spacing). */
    long classPlanChecks() {
        synchronized (lock) {
            return classPlanChecks;
        }
    }

    /** {@code add-vm}: manages one more VM from now on; the next round observes, plans and pins it. */
    public void addVm(VmConfig vm) throws Exception {
        checkAddable(vm);
        awaitOnReconcileThread(() -> {
            synchronized (lock) {
                if (vms.containsKey(vm.name())) {
                    throw new IllegalArgumentException("VM " + vm.name() + " is already managed");
                }
                addLocked(vm, VmOrigin.CONTROL);
            }
            LOG.info("VM {} added (weight {})", vm.name(), vm.weight());
        });
        requestReconcile();
    }

    /** {@code remove-vm}: gives the guest all its vCPUs back, unpins its threads and forgets it; the others re-plan. */
    public void removeVm(String vm) throws Exception {
        awaitOnReconcileThread(() -> {
            synchronized (lock) {
                if (!vms.containsKey(vm)) {
                    throw new IllegalArgumentException("no VM named '" + vm + "' (known: " + vms.keySet() + ")");
                }
            }
            remove(vm, "removed by remove-vm", true);
        });
    }

    /**
     * SIGHUP: the VMs of the config as re-read. Those from the config that are gone from it are removed (guest
     * restored), new ones added, changed ones updated in place when only weight or vCPU bounds changed, else
     * replaced. VMs added with add-vm stay unless the config now names them.
     */
    public void reload(List<VmConfig> fromConfig) throws Exception {
        fromConfig.forEach(this::checkAddable);
        awaitOnReconcileThread(() -> {
            Map<String, VmConfig> wanted = new LinkedHashMap<>();
            fromConfig.forEach(v -> wanted.put(v.name(), v));
            List<String> stale = new ArrayList<>();
            synchronized (lock) {
                vms.forEach((name, s) -> {
                    if (s.origin == VmOrigin.CONFIG && !wanted.containsKey(name)) {
                        stale.add(name);
                    }
                });
            }
            for (String name : stale) {
                remove(name, "no longer in the config", true);
            }
            wanted.values().forEach(v -> update(v, VmOrigin.CONFIG, true));
            LOG.info("config re-read: {} VMs from it, {} removed", wanted.size(), stale.size());
        });
    }

    /**
     * {@code notify DOMAIN EVENT} from the libvirt hook: a hint, never trusted as a fact. The discovering backend
     * looks at once; otherwise a round runs (a QEMU that started or stopped is observed).
     */
    public void notifyEvent(String vm, String event) {
        if (discovery != null) {
            discovery.hint(vm, event);
        } else {
            requestReconcile();
        }
    }

    private void adoptDiscovered(VmConfig vm) {
        update(vm, VmOrigin.DISCOVERED, false);
    }

    /** Adds {@code vm}, or applies new settings to the VM of that name (replacing it if its sockets changed). */
    private void update(VmConfig vm, VmOrigin origin, boolean restoreGuestOnReplace) {
        VmState existing;
        synchronized (lock) {
            existing = vms.get(vm.name());
            if (existing != null && existing.config.equals(vm)) {
                return;
            }
            if (existing != null && sameSockets(existing.config, vm)) {
                LOG.info("VM {}: settings {} -> weight {}, vCPUs {}..{}", vm.name(), existing.config.weight(),
                        vm.weight(), vm.minVcpus(), vm.maxVcpus() == 0 ? "all" : vm.maxVcpus());
                existing.config = vm;
                replanLocked();
                requestReconcile();
                return;
            }
        }
        if (existing != null) {
            remove(vm.name(), "its sockets changed", restoreGuestOnReplace);
        }
        synchronized (lock) {
            addLocked(vm, origin);
        }
        LOG.info("VM {} {} (weight {}{})", vm.name(), origin == VmOrigin.DISCOVERED ? "found" : "added", vm.weight(),
                vm.agentSocket() == null ? ", no agent" : ", agent " + vm.agentSocket());
        requestReconcile();
    }

    private static boolean sameSockets(VmConfig a, VmConfig b) {
        return java.util.Objects.equals(a.qmpSocket(), b.qmpSocket()) && java.util.Objects.equals(a.agentSocket(),
                b.agentSocket()) && java.util.Objects.equals(a.pidfile(), b.pidfile());
    }

    /**
     * On the reconcile thread: stops managing {@code vm}. With {@code restoreGuest} its agent first gets every
     * vCPU back (a VM still running); a VM that stopped has nothing to restore. Then its threads' pins and its
     * weight go back to what they were, and the others are re-planned.
     */
    private void remove(String vm, String why, boolean restoreGuest) {
        VmState s;
        synchronized (lock) {
            s = vms.get(vm);
        }
        if (s == null) {
            return;
        }
        if (restoreGuest) {
            try {
                restoreGuest(s).get(RESTORE_DEADLINE.toMillis() + 500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("VM {}: the guest did not take its vCPUs back within {} ms", vm, RESTORE_DEADLINE.toMillis());
            }
        }
        backend.release(vm);
        weights.release(vm);
        if (s.link != null) {
            s.link.close();
        }
        synchronized (lock) {
            vms.remove(vm);
            backend.detach(vm);
            replanLocked();
        }
        events.removed(vm);
        accounting.forget(vm); // accounting (policy-host)
        LOG.info("VM {} released: {}", vm, why);
        requestReconcile();
    }

    /** Asks the guest to bring every vCPU QEMU has back online; completes at once without an agent. */
    private CompletableFuture<?> restoreGuest(VmState s) {
        GuestView g = GuestViews.of(s.link);
        if (g == null || s.vcpus() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CpuSet every = g.present().intersection(CpuSet.range(0, s.vcpus() - 1));
        CompletableFuture<?> cpus = s.link.setOnlineCpus(every.toString(), 0, RESTORE_DEADLINE).exceptionally(e -> {
            LOG.warn("VM {}: could not restore vCPUs: {}", s.config.name(), cause(e).getMessage());
            return null;
        });
        if (s.classesAcked == null || s.classesAcked.getClassesCount() == 0) {
            return cpus;
        }
        // its processes go back to where they were; the class lease would do it too, later
        CompletableFuture<?> classes = s.link.setProcessClasses(io.vcpubal.protocol.v1.SetProcessClasses.getDefaultInstance(),
                RESTORE_DEADLINE).exceptionally(e -> {
                    LOG.warn("VM {}: could not remove process classes: {}", s.config.name(), cause(e).getMessage());
                    return null;
                });
        return CompletableFuture.allOf(cpus, classes);
    }

    private void onReconcileThread(Runnable task) {
        try {
            reconcileThread.execute(() -> {
                if (!closing.get()) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.error("changing the set of VMs failed: {}", e.toString(), e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Runs {@code task} between rounds and returns its failure to the caller (a control request). */
    private void awaitOnReconcileThread(Runnable task) throws Exception {
        if (closing.get()) {
            throw new IllegalStateException("the daemon is stopping");
        }
        try {
            reconcileThread.submit(task).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the daemon is stopping");
        }
    }

    /** Runs a round soon; bursts of triggers coalesce, and rounds stay {@link #MIN_ROUND_SPACING_MS} apart. */
    public void requestReconcile() {
        if (closing.get() || !roundPending.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(50, lastRoundStartMs + MIN_ROUND_SPACING_MS - System.currentTimeMillis());
        try {
            reconcileThread.schedule(this::roundSafely, wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            roundPending.set(false); // closing
        }
    }

    /**
     * Changes a VM's weight and re-plans at once (status shows it); the pins follow in the next round. A backend
     * that finds its VMs keeps the weight where it reads it from (libvirt: the domain's metadata), first.
     */
    public void setWeight(String vm, int weight) throws Exception {
        VmConfig.checkWeight(weight);
        synchronized (lock) {
            if (!vms.containsKey(vm)) {
                throw new IllegalArgumentException("no VM named '" + vm + "' (known: " + vms.keySet() + ")");
            }
        }
        if (discovery != null) {
            discovery.persistWeight(vm, weight);
        }
        synchronized (lock) {
            VmState s = vms.get(vm);
            if (s == null) {
                throw new IllegalArgumentException("no VM named '" + vm + "' (known: " + vms.keySet() + ")");
            }
            LOG.info("VM {}: weight {} -> {}", vm, s.config.weight(), weight);
            s.config = s.config.withWeight(weight);
            replanLocked();
        }
        requestReconcile();
    }

    /** Every VM as it is now: state under the lock, pins read back from the kernel; no hypervisor call. */
    public List<VmStatus> status() {
        Map<String, VmProcess> processes = new LinkedHashMap<>();
        List<VmStatus> out = new ArrayList<>();
        synchronized (lock) {
            vms.forEach((name, s) -> processes.put(name, s.process));
        }
        Map<VcpuThread, String> affinity = new HashMap<>();
        for (VmProcess p : processes.values()) {
            if (p != null) {
                for (VcpuThread t : p.vcpus()) {
                    try {
                        affinity.put(t, backend.affinity(t).toString());
                    } catch (BackendException e) {
                        affinity.put(t, "?");
                    }
                }
            }
        }
        synchronized (lock) {
            for (VmState s : vms.values()) {
                out.add(StatusView.of(s, affinity));
            }
        }
        return out;
    }

    // --- accounting (policy-host) ---
    /** {@code top}: the busiest guest processes and classes of all VMs, guest-view and host-true; no I/O. */
    public io.vcpubal.host.accounting.TopView top(int rows) {
        return accounting.top(rows);
    }

    /** What the host measured of {@code vm}'s vCPUs over its last report interval (factor, run, want). */
    public java.util.Optional<io.vcpubal.host.accounting.HostTrue.Interval> hostAccounting(String vm) {
        return accounting.latest(vm);
    }
    // --- end accounting ---

    /** The current plan of one VM, null when it has none (tests and the lab). */
    public VmPlan planOf(String vm) {
        synchronized (lock) {
            VmState s = vms.get(vm);
            return s == null ? null : s.plan;
        }
    }

    /** One VM's part of the current class plan, null without process policies (tests, the lab, `top`). */
    public VmClassPlan classPlanOf(String vm) {
        synchronized (lock) {
            VmState s = vms.get(vm);
            return s == null ? null : s.classPlan;
        }
    }

    /** The classes the VM's guest last reported (empty without a report). */
    public List<io.vcpubal.protocol.v1.ClassState> guestClasses(String vm) {
        synchronized (lock) {
            VmState s = vms.get(vm);
            return s == null || s.link == null ? List.of()
                    : s.link.latestFacts().map(GuestFacts::getClassesList).orElse(List.of());
        }
    }

    /** What each connected guest said about itself in its Hello. */
    public Map<String, io.vcpubal.protocol.v1.GuestInfo> guests() {
        Map<String, io.vcpubal.protocol.v1.GuestInfo> out = new LinkedHashMap<>();
        synchronized (lock) {
            for (VmState s : vms.values()) {
                if (s.link != null) {
                    s.link.guestInfo().ifPresent(g -> out.put(s.config.name(), g));
                }
            }
        }
        return out;
    }

    private void roundSafely() {
        roundPending.set(false);
        if (closing.get()) {
            return;
        }
        lastRoundStartMs = System.currentTimeMillis();
        try {
            round();
        } catch (RuntimeException e) {
            LOG.error("reconcile round failed: {}", e.toString(), e);
        }
    }

    private void round() {
        long started = System.nanoTime();
        observeAll();
        List<VmSteps> steps = new ArrayList<>();
        boolean replanned;
        synchronized (lock) {
            replanLocked();
            replanned = !java.util.Objects.equals(roundPlan, lastPlan);
            // each VM's pool pin in the plan the last round carried out: pool holdings while the pool changes
            Map<String, CpuSet> wasShared = new HashMap<>();
            if (roundPlan != null) {
                roundPlan.vms().forEach(vp -> wasShared.put(vp.name(), OnlineSets.sharedPin(vp)));
            }
            roundPlan = lastPlan;
            if (lastPlan == null) {
                return;
            }
            for (VmPlan vp : lastPlan.vms()) {
                VmState s = vms.get(vp.name());
                GuestView g = GuestViews.of(s.link);
                long now = System.nanoTime();
                if (vp.onlineVcpus() != s.wantedCount) {
                    s.wantedCount = vp.onlineVcpus();
                    s.wantedSinceNanos = now;
                }
                BalloonKind mode = BalloonModes.choose(s.config.balloon(), g != null && g.offersFence(),
                        Duration.ofNanos(now - s.wantedSinceNanos), vp.onlineVcpus() == vp.entitledVcpus());
                Observed o = new Observed(s.vcpus(), g, s.appliedPins, s.appliedEmulator, s.balloonPending, s.refusal,
                        mode);
                VmSteps st = ReconcileSteps.forVm(vp, o, lastPlan.emulatorCpus())
                        .withWasShared(wasShared.getOrDefault(vp.name(), CpuSet.empty()));
                s.leased = st.leased();
                steps.add(st);
            }
        }
        // classes first: throttling a low class is one write in its guest, and the pins can take a while
        sendClasses();
        Reconciler.Result result = reconciler.pin(steps);
        if (result.brokeCycle()) {
            LOG.warn("pins of two VMs blocked each other; applied them in order");
        }
        synchronized (lock) {
            for (VmOutcome out : result.outcomes()) {
                VmState s = vms.get(out.vm());
                for (Action a : out.done()) {
                    if (a instanceof Action.PinVcpu p) {
                        s.recordPin(p.vcpu(), p.cpus());
                    } else if (a instanceof Action.PinEmulator e) {
                        s.appliedEmulator = e.cpus();
                    }
                }
                s.lastError = out.error();
                if (!out.succeeded()) {
                    LOG.warn("VM {}: {} failed: {} (retried next round)", out.vm(), out.failed(), out.error());
                }
            }
        }
        applyWeights();
        for (VmSteps st : steps) {
            if (st.balloon() != null) {
                balloon(st.balloon());
            }
        }
        events.round((System.nanoTime() - started) / 1e9, replanned);
        int pins = result.outcomes().stream().mapToInt(o -> o.done().size()).sum();
        if (pins > 0) {
            // only rounds that changed something: an operator (and the lab) sees what one costs
            LOG.info("round: {} VMs, {} pins applied in {} ms", steps.size(), pins,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** Observes every VM in parallel; waits at most {@link #observeTimeout} for each. */
    private void observeAll() {
        Map<String, Future<VmProcess>> running = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        synchronized (lock) {
            for (VmState s : vms.values()) {
                if (!s.observing && (s.process == null ? now >= s.nextObserveMs
                        : now - s.observedAtMs >= REOBSERVE_ROUNDS * config.reconcileIntervalMs() || !backend.stillRunning(s.process))) {
                    s.observing = true;
                    VmState observed = s;
                    String name = s.config.name();
                    running.put(name, observers.submit(() -> {
                        try {
                            return backend.observe(name);
                        } finally {
                            synchronized (lock) {
                                observed.observing = false;
                            }
                        }
                    }));
                }
            }
        }
        long deadline = System.nanoTime() + observeTimeout.toNanos();
        for (Map.Entry<String, Future<VmProcess>> e : running.entrySet()) {
            VmProcess p = null;
            String error = null;
            try {
                p = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ex) {
                error = "VM " + e.getKey() + ": no answer from the " + backend.name() + " backend within "
                        + observeTimeout.toMillis() + " ms";
            } catch (ExecutionException ex) {
                error = ex.getCause().getMessage();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (lock) {
                VmState s = vms.get(e.getKey());
                if (s != null) {
                    record(s, p, error);
                }
            }
        }
        retireGone();
    }

    /** VMs whose QEMU has been gone past the grace are released, not retried forever. */
    private void retireGone() {
        long now = System.currentTimeMillis();
        List<String> gone = new ArrayList<>();
        synchronized (lock) {
            vms.forEach((name, s) -> {
                if (s.process == null && s.goneSinceMs > 0 && now - s.goneSinceMs > goneGraceMs) {
                    gone.add(name);
                }
            });
        }
        for (String vm : gone) {
            remove(vm, "its QEMU exited " + goneGraceMs / 1000 + " s ago and did not come back (add it again with"
                    + " add-vm or SIGHUP)", false);
        }
    }

    private void record(VmState s, VmProcess p, String error) {
        if (p != null) {
            s.observedAtMs = System.currentTimeMillis();
            s.misses = 0;
            s.goneSinceMs = 0;
            if (!p.sameProcess(s.process)) {
                if (s.process != null) {
                    LOG.info("VM {}: QEMU process {} replaced by {}: re-pinning", s.config.name(), s.process.pid(), p.pid());
                }
                s.newProcess(p);
            } else {
                s.process = p;
            }
            s.observeError = p.degraded() ? "degraded: " + String.join("; ", p.problems()) : null;
            return;
        }
        if (s.process != null && !backend.stillRunning(s.process)) {
            LOG.warn("VM {}: QEMU process {} is gone; its share is released until it is back", s.config.name(),
                    s.process.pid());
            s.newProcess(null);
            s.goneSinceMs = System.currentTimeMillis();
        }
        if (s.process == null) {
            s.misses++;
            s.nextObserveMs = System.currentTimeMillis()
                    + Math.min(MAX_OBSERVE_BACKOFF_MS, 1000L << Math.min(s.misses - 1, 10));
        }
        if (!error.equals(s.observeError)) {
            LOG.warn("{}{}", error, s.process != null ? " (keeping its last pins)" : "");
        }
        s.observeError = error;
    }

    /** Plans with the latest observations; the planners are pure and fast, so this is fine under the lock. */
    private void replanLocked() {
        ClassPlan classPlan = policies.enabled() ? policies.plan(vms.values()) : null;
        lastClassPlan = classPlan;
        List<VmSpec> specs = new ArrayList<>();
        Map<String, List<CpuSet>> current = new HashMap<>();
        for (VmState s : vms.values()) {
            if (s.vcpus() == 0) {
                s.plan = null;
                continue;
            }
            int max = s.maxVcpus();
            VmClassPlan cp = classPlan == null ? null : classPlan.vm(s.config.name());
            s.classPlan = cp;
            // with process policies a VM weighs what its busy classes weigh (ClassPlanner)
            long weight = cp == null ? s.config.weight() : cp.planningWeight();
            VmSpec spec = new VmSpec(s.config.name(), weight, max, Math.min(s.config.minVcpus(), max));
            // without facts (no agent, or it went away) a VM's demand is unknown: it is planned by weight alone;
            // a busy high-importance class makes it want all it can get at once
            boolean hasFacts = s.link != null && s.link.latestFacts().isPresent();
            boolean wantsAll = cp != null && cp.wantsAll();
            specs.add(config.demandAware() && hasFacts && !wantsAll ? spec.withDemand(s.demand.demand(max)) : spec);
            if (s.plan != null) {
                current.put(s.config.name(), s.plan.vcpuPins());
            }
        }
        if (specs.isEmpty()) {
            lastPlan = null;
            return;
        }
        try {
            lastPlan = Planner.plan(topology, reserved, specs, new Assignment(current));
        } catch (IllegalArgumentException e) {
            LOG.error("cannot plan: {}", e.getMessage());
            return;
        }
        for (VmPlan vp : lastPlan.vms()) {
            vms.get(vp.name()).plan = vp;
        }
        if (!lastPlan.equals(loggedPlan)) {
            LOG.info("plan: {}", summary(lastPlan));
            loggedPlan = lastPlan;
        }
    }

    /** The Actuator of {@link Reconciler}: pins through the backend on the observed process. */
    private void pin(Action action) throws Exception {
        VmProcess p;
        synchronized (lock) {
            VmState s = vms.get(action.vm());
            p = s == null ? null : s.process;
        }
        if (p == null) {
            throw new BackendException("VM " + action.vm() + ": no QEMU process");
        }
        if (action instanceof Action.PinVcpu pv) {
            VcpuThread t = p.vcpu(pv.vcpu());
            if (t != null) { // an unaccepted thread is never pinned (the VM shows as degraded)
                backend.pinVcpu(pv.vm(), p, t, pv.cpus());
            }
        } else if (action instanceof Action.PinEmulator pe) {
            backend.pinEmulator(pe.vm(), p, pe.cpus());
        }
    }

    /** The threads pinned to the shared pool go into the VM's cgroup, weighted by the VM's pool share. */
    private void applyWeights() {
        record Work(String vm, double share, boolean borrowed, List<Integer> tids, int pid) {}
        List<Work> work = new ArrayList<>();
        synchronized (lock) {
            for (VmState s : vms.values()) {
                if (s.plan == null || s.process == null) {
                    continue;
                }
                CpuSet pool = io.vcpubal.host.reconcile.OnlineSets.sharedPin(s.plan);
                List<Integer> tids = new ArrayList<>();
                for (VcpuThread t : s.process.vcpus()) {
                    CpuSet pin = t.cpuIndex() < s.appliedPins.size() ? s.appliedPins.get(t.cpuIndex()) : null;
                    if (!pool.isEmpty() && pin != null && pin.isSubsetOf(pool)) {
                        tids.add(t.threadId());
                    }
                }
                if (!tids.isEmpty() || s.weighted) {
                    // a VM busy only with idle-time work runs at the host's idle priority too: its vCPUs then
                    // take nothing from a high job's vCPU on the shared pCPU, not even wake-ups
                    boolean lowOnly = s.classPlan != null && s.classPlan.lowOnly();
                    work.add(new Work(s.config.name(), s.plan.balancedShare(), s.plan.borrowsPool() || lowOnly, tids,
                            s.process.pid()));
                    s.weighted = !tids.isEmpty();
                }
            }
        }
        for (Work w : work) {
            try {
                if (w.tids().isEmpty()) {
                    weights.release(w.vm());
                } else {
                    weights.apply(w.vm(), w.share(), w.tids(), w.pid());
                    weights.idle(w.vm(), w.borrowed());
                }
            } catch (Exception e) {
                synchronized (lock) {
                    VmState s = vms.get(w.vm());
                    s.lastError = (s.lastError == null ? "" : s.lastError + "; ") + "cpu weight: " + e.getMessage();
                }
            }
        }
    }

    /** Sends each guest whose classes changed (or whose class lease is due) its SetProcessClasses. */
    private void sendClasses() {
        List<ClassPolicies.Send> sends;
        synchronized (lock) {
            if (!policies.enabled()) {
                return;
            }
            sends = policies.due(vms.values(), lastClassPlan, System.nanoTime());
        }
        for (ClassPolicies.Send send : sends) {
            VmState s = send.vm();
            s.link.setProcessClasses(send.command(), COMMAND_TIMEOUT).whenComplete((r, e) -> {
                synchronized (lock) {
                    s.classesPending = false;
                    String error = e != null ? cause(e).getMessage()
                            : r.getErrorsCount() > 0 ? String.join("; ", r.getErrorsList()) : null;
                    // a new set of classes is worth a line; moving quotas and weights are not
                    boolean changed = e == null && !rules(send.command()).equals(rules(s.classesAcked));
                    if (e == null) {
                        s.classesAcked = send.command();
                    }
                    if (error != null && !error.equals(s.classError)) {
                        LOG.warn("VM {}: process classes: {}", s.config.name(), error);
                    } else if (error == null && changed) {
                        LOG.info("VM {}: process classes applied: {}", s.config.name(), summary(r));
                    } else if (error == null) {
                        LOG.debug("VM {}: process classes: {}", s.config.name(), summary(r));
                    }
                    s.classError = error;
                }
            });
        }
    }

    /** The classes' names and rules, without their settings. */
    private static List<String> rules(io.vcpubal.protocol.v1.SetProcessClasses c) {
        return c == null ? List.of() : c.getClassesList().stream()
                .map(p -> p.getName() + ":" + p.getComm() + ":" + p.getCmdline() + ":" + p.getCgroup() + ":" + p.getUnit())
                .toList();
    }

    private static String summary(io.vcpubal.protocol.v1.ProcessClassesResult r) {
        StringBuilder b = new StringBuilder();
        for (io.vcpubal.protocol.v1.ClassState c : r.getClassesList()) {
            b.append(c.getName()).append(" (").append(c.getProcesses()).append(" processes, ")
                    .append(c.getIdle() ? "idle" : "weight " + c.getCpuWeight())
                    .append(c.getQuotaUs() == 0 ? "" : ", quota " + c.getQuotaUs() + " us").append(") ");
        }
        return b.length() == 0 ? "none" : b.toString().strip();
    }

    /** Sends one balloon; its answer (or failure) is recorded on the event loop and triggers a round. */
    private void balloon(Action.Balloon b) {
        VmState s;
        CpuSet onlineBefore;
        synchronized (lock) {
            s = vms.get(b.vm());
            GuestView g = GuestViews.of(s.link);
            if (g == null || s.balloonPending) {
                return;
            }
            onlineBefore = g.online();
            s.balloonPending = true;
        }
        int lease = b.leased() ? config.leaseMs() : 0;
        long sent = System.nanoTime();
        io.vcpubal.protocol.v1.BalloonMode wire = b.mode() == BalloonKind.FENCE
                ? io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_FENCE : io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_HOTPLUG;
        s.link.setUsableCpus(b.online().toString(), wire, lease, COMMAND_TIMEOUT).whenComplete((r, e) -> {
            events.balloon(b.vm(), b.mode().id(), outcome(r, e), (System.nanoTime() - sent) / 1e9);
            synchronized (lock) {
                s.balloonPending = false;
                if (e == null && r.getErrorsCount() == 0) {
                    s.refusal = null;
                    s.balloonError = null;
                    LOG.info("VM {}: guest online {}{} ({} {} us in the guest)", b.vm(), r.getOnlineCpus(),
                            r.getFencedCpus().isEmpty() ? "" : ", fenced " + r.getFencedCpus(), b.mode().id(),
                            r.getElapsedUs());
                } else {
                    String why = e == null ? "guest could not switch CPUs: " + r.getErrorsList()
                            + (r.getRolledBack() ? " (rolled back to " + r.getOnlineCpus() + ")" : "")
                            : cause(e).getMessage();
                    boolean refused = e == null || (cause(e) instanceof GuestCommandException g
                            && g.code() == Error.Code.REFUSED);
                    if (refused) {
                        // Do not ask again until the request or the guest changes; its vCPUs stay confined.
                        s.refusal = new Observed.Refusal(b.online(), onlineBefore, b.mode());
                    }
                    s.balloonError = "balloon to " + b.online() + ": " + why;
                    LOG.warn("VM {}: {}", b.vm(), s.balloonError);
                }
            }
            requestReconcile();
        });
    }

    private static DaemonEvents.BalloonOutcome outcome(SetOnlineVcpusResult r, Throwable e) {
        if (e == null) {
            return r.getErrorsCount() == 0 ? DaemonEvents.BalloonOutcome.APPLIED : DaemonEvents.BalloonOutcome.FAILED;
        }
        Throwable c = cause(e);
        if (c instanceof GuestCommandException g && g.code() == Error.Code.REFUSED) {
            return DaemonEvents.BalloonOutcome.REFUSED;
        }
        return c instanceof GuestCommandException g && g.timedOut() ? DaemonEvents.BalloonOutcome.TIMEOUT
                : DaemonEvents.BalloonOutcome.FAILED;
    }

    private static Throwable cause(Throwable e) {
        return (e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException)
                && e.getCause() != null ? e.getCause() : e;
    }

    /** Every second: a QEMU that exited or was replaced, or a VM not yet observed, gets a round at once. */
    private void checkLiveness() {
        boolean due = false;
        long now = System.currentTimeMillis();
        synchronized (lock) {
            for (VmState s : vms.values()) {
                if (s.process == null ? now >= s.nextObserveMs : !backend.stillRunning(s.process)) {
                    due = true;
                }
            }
        }
        if (due) {
            requestReconcile();
        }
    }

    private void renewLeases() {
        List<VmState> leased = new ArrayList<>();
        synchronized (lock) {
            for (VmState s : vms.values()) {
                if (s.link != null && s.link.state() == AgentState.CONNECTED && s.leased) {
                    leased.add(s);
                }
            }
        }
        for (VmState s : leased) {
            s.link.renewLease(config.leaseMs(), COMMAND_TIMEOUT).whenComplete((r, e) -> {
                events.leaseRenewal(s.config.name(), e == null);
                if (e == null) {
                    return;
                }
                Throwable c = cause(e);
                if (c instanceof GuestCommandException g && g.code() == Error.Code.REFUSED) {
                    // The guest holds no lease (it restarted, or the lease ran out): balloon it again.
                    requestReconcile();
                } else {
                    LOG.warn("VM {}: lease renewal failed: {}", s.config.name(), c.getMessage());
                }
            });
        }
    }

    private static String summary(Plan plan) {
        StringBuilder b = new StringBuilder();
        for (VmPlan v : plan.vms()) {
            b.append(String.format("%s share %.2f %s %d online %s; ", v.name(), v.share(),
                    v.mode().toString().toLowerCase(), v.onlineVcpus(), v.vcpuPins()));
        }
        return b.append("emulator ").append(plan.emulatorCpus()).toString();
    }

    /**
     * Graceful stop: no round runs once it starts; every guest gets all its vCPUs back (all guests at once,
     * within {@link #RESTORE_DEADLINE} together); every thread vcpubal pinned gets its original affinity back;
     * the cgroups go. A daemon killed with SIGKILL cannot do this: the guests' leases bring their vCPUs back,
     * and pins and cgroups stay until the next start, which takes them over (stale cgroups are removed at
     * start-up and the threads re-pinned by the new plan).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        reconcileThread.shutdown();
        renewThread.shutdownNow();
        try {
            if (!reconcileThread.awaitTermination(observeTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
                LOG.warn("a reconcile round did not finish in time; restoring anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<?>> restores = new ArrayList<>();
        Map<String, VmState> all;
        synchronized (lock) {
            all = new LinkedHashMap<>(vms);
        }
        for (VmState s : all.values()) {
            restores.add(restoreGuest(s));
        }
        try {
            CompletableFuture.allOf(restores.toArray(CompletableFuture[]::new))
                    .get(RESTORE_DEADLINE.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("not every guest answered the restore within {} ms", RESTORE_DEADLINE.toMillis());
        }
        for (String vm : all.keySet()) {
            backend.release(vm);
        }
        weights.close();
        for (VmState s : all.values()) {
            if (s.link != null) {
                s.link.close();
            }
        }
        observers.shutdownNow();
        backend.close();
        ticker.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static ScheduledExecutorService singleThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(daemonThreads(name));
    }

    /**
     * At most {@value #MAX_OBSERVERS} observations at once, the threads gone when idle: one thread per VM at once
     * (a daemon starting with 500 VMs) cost tens of MB of stacks for nothing; a hung monitor holds one thread for
     * the backend's deadline, and the VMs queued behind many of them keep their last observation meanwhile.
     */
    private static ExecutorService observerPool() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(MAX_OBSERVERS,
                MAX_OBSERVERS, 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                daemonThreads("observe"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
