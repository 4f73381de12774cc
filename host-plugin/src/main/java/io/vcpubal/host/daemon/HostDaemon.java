package io.vcpubal.host.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestCommandException;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.plan.Assignment;
import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.host.reconcile.Action;
import io.vcpubal.host.reconcile.Observed;
import io.vcpubal.host.reconcile.ReconcileSteps;
import io.vcpubal.host.reconcile.Reconciler;
import io.vcpubal.host.reconcile.VmOutcome;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host daemon: on every trigger (VM link change, weight change, period) it plans, turns the plan into
 * per-VM steps and reconciles them; it renews the guests' balloon leases in between. All planning and
 * backend calls happen on one thread ("reconcile"), so backends need not be thread-safe; guest commands
 * run per VM in parallel so one slow guest holds up no other.
 */
public final class HostDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostDaemon.class);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final HostConfig config;
    private final HostTopology topology;
    private final ReservedCpus reserved;
    private final HypervisorBackend backend;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ScheduledExecutorService reconcileThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reconcile");
        t.setDaemon(true);
        return t;
    });
    /** Lease renewals run apart from reconciling: a round waiting on one slow guest must not let others' leases lapse. */
    private final ScheduledExecutorService renewThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-renewal");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService guestCommands = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "guest-command");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, VmRuntime> vms = new LinkedHashMap<>();
    private final AtomicBoolean reconcilePending = new AtomicBoolean();
    private final Reconciler reconciler;
    private Plan lastPlan;

    public HostDaemon(HostConfig config, HostTopology topology, HypervisorBackend backend) {
        this.config = config;
        this.topology = topology;
        this.reserved = ReservedCpus.parse(config.reservedCpus(), config.emulatorCpus());
        reserved.checkAgainst(topology);
        this.backend = backend;
        this.reconciler = new Reconciler(this::execute, guestCommands);
        if (config.vms().isEmpty()) {
            throw new IllegalArgumentException("no VM configured: give --vm or vm = lines in the config file");
        }
    }

    public void start() {
        for (VmConfig vm : config.vms()) {
            backend.attach(vm);
            GuestLink link = vm.agentSocket() == null ? null
                    : new GuestLink(vm.name(), vm.agentSocket(), loop, l -> requestReconcile());
            vms.put(vm.name(), new VmRuntime(vm, link));
        }
        reconcileThread.scheduleWithFixedDelay(this::reconcileSafely, 0, config.reconcileIntervalMs(), TimeUnit.MILLISECONDS);
        long renewEvery = Math.max(200, config.leaseMs() / 3);
        renewThread.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        LOG.info("managing {} VMs on host CPUs {} (reserved for host {}, emulator {}) with the {} backend",
                vms.size(), topology.cpus(), reserved.forHost(), reserved.forEmulator(), backend.name());
    }

    /** Re-plans soon (coalescing bursts of triggers into one round). */
    public void requestReconcile() {
        if (reconcilePending.compareAndSet(false, true)) {
            reconcileThread.schedule(this::reconcileSafely, 100, TimeUnit.MILLISECONDS);
        }
    }

    /** Changes a VM's weight and re-plans; throws IllegalArgumentException for an unknown VM or bad weight. */
    public void setWeight(String vm, int weight) throws Exception {
        VmConfig.checkWeight(weight);
        onReconcileThread(() -> {
            VmRuntime rt = vms.get(vm);
            if (rt == null) {
                throw new IllegalArgumentException("no VM named '" + vm + "' (known: " + vms.keySet() + ")");
            }
            LOG.info("VM {}: weight {} -> {}", vm, rt.config.weight(), weight);
            rt.config = rt.config.withWeight(weight);
            reconcile();
            return null;
        });
    }

    /** Every VM as it is now (pins read back from the kernel). */
    public List<VmStatus> status() throws Exception {
        return onReconcileThread(() -> {
            List<VmStatus> out = new ArrayList<>();
            for (VmRuntime rt : vms.values()) {
                out.add(statusOf(rt));
            }
            return out;
        });
    }

    /** What each connected guest said about itself in its Hello. */
    public Map<String, io.vcpubal.protocol.v1.GuestInfo> guests() {
        Map<String, io.vcpubal.protocol.v1.GuestInfo> out = new LinkedHashMap<>();
        for (VmRuntime rt : vms.values()) {
            if (rt.link != null) {
                rt.link.guestInfo().ifPresent(g -> out.put(rt.config.name(), g));
            }
        }
        return out;
    }

    private VmStatus statusOf(VmRuntime rt) {
        List<VmStatus.VcpuPin> pins = new ArrayList<>();
        try {
            for (VcpuThread t : backend.vcpuThreads(rt.config.name())) {
                String cpus;
                try {
                    cpus = backend.vcpuAffinity(rt.config.name(), t.cpuIndex()).toString();
                } catch (BackendException e) {
                    cpus = "?";
                }
                pins.add(new VmStatus.VcpuPin(t.cpuIndex(), t.threadId(), cpus));
            }
        } catch (BackendException e) {
            // Shown through lastError.
        }
        GuestLink link = rt.link;
        String agent = link == null ? "no agent" : stateText(link.state());
        String online = guestOnlineText(rt).orElse(null);
        double steal = link == null ? -1 : link.latestFacts().map(f -> f.getContention().getStealShare()).orElse(-1.0);
        VmPlan p = rt.plan;
        return new VmStatus(rt.config.name(), rt.config.weight(), p == null ? 0 : p.share(),
                p == null ? "-" : p.mode().toString().toLowerCase(), p == null ? 0 : p.onlineVcpus(), rt.vcpus,
                online, pins, steal, agent, link == null ? 0 : link.lastContactMillis(), rt.lastError);
    }

    private static String stateText(AgentState s) {
        return switch (s) {
            case NO_AGENT -> "no agent";
            case CONNECTING -> "connecting";
            case CONNECTED -> "connected";
            case INCOMPATIBLE -> "incompatible";
        };
    }

    private void reconcileSafely() {
        reconcilePending.set(false);
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.error("reconcile failed: {}", e.toString(), e);
        }
    }

    /** One round: observe, plan, step, act. Reconcile thread only. */
    private void reconcile() {
        List<VmSpec> specs = new ArrayList<>();
        for (VmRuntime rt : vms.values()) {
            try {
                int threads = backend.vcpuThreads(rt.config.name()).size();
                if (threads != rt.vcpus) {
                    rt.forgetApplied();
                }
                rt.vcpus = threads;
            } catch (BackendException e) {
                rt.vcpus = 0;
                rt.plan = null;
                rt.forgetApplied();
                rt.lastError = e.getMessage();
                continue;
            }
            int max = rt.config.maxVcpus() > 0 ? Math.min(rt.config.maxVcpus(), rt.vcpus) : rt.vcpus;
            specs.add(new VmSpec(rt.config.name(), rt.config.weight(), max, Math.min(rt.config.minVcpus(), max)));
        }
        if (specs.isEmpty()) {
            return;
        }
        Plan plan;
        try {
            plan = Planner.plan(topology, reserved, specs, currentAssignment());
        } catch (IllegalArgumentException e) {
            LOG.error("cannot plan: {}", e.getMessage());
            return;
        }
        Map<String, List<Action>> steps = new LinkedHashMap<>();
        for (VmPlan vp : plan.vms()) {
            VmRuntime rt = vms.get(vp.name());
            rt.plan = vp;
            Observed o = new Observed(rt.vcpus, guestOnlineCount(rt), rt.appliedPins, rt.appliedEmulator);
            List<Action> s = ReconcileSteps.forVm(vp, o, plan.emulatorCpus());
            if (!s.isEmpty()) {
                steps.put(vp.name(), s);
            }
        }
        if (!plan.equals(lastPlan)) {
            LOG.info("plan: {}", summary(plan));
            lastPlan = plan;
        }
        for (VmOutcome out : reconciler.apply(steps)) {
            VmRuntime rt = vms.get(out.vm());
            for (Action a : out.done()) {
                if (a instanceof Action.PinVcpu p) {
                    rt.recordPin(p.vcpu(), p.cpus());
                } else if (a instanceof Action.PinEmulator e) {
                    rt.appliedEmulator = e.cpus();
                }
            }
            rt.lastError = out.error();
            if (!out.succeeded()) {
                LOG.warn("VM {}: {} failed: {} (retried next round)", out.vm(), out.failed(), out.error());
            }
        }
    }

    private Assignment currentAssignment() {
        Map<String, List<CpuSet>> pins = new HashMap<>();
        for (VmRuntime rt : vms.values()) {
            if (rt.plan != null) {
                pins.put(rt.config.name(), rt.plan.vcpuPins());
            }
        }
        return new Assignment(pins);
    }

    private static String summary(Plan plan) {
        StringBuilder b = new StringBuilder();
        for (VmPlan v : plan.vms()) {
            b.append(String.format("%s share %.2f %s %d online %s; ", v.name(), v.share(),
                    v.mode().toString().toLowerCase(), v.onlineVcpus(), v.vcpuPins()));
        }
        return b.append("emulator ").append(plan.emulatorCpus()).toString();
    }

    private static OptionalInt guestOnlineCount(VmRuntime rt) {
        return guestOnlineText(rt).flatMap(CpuSet::tryParse).map(s -> OptionalInt.of(s.size())).orElse(OptionalInt.empty());
    }

    private static Optional<String> guestOnlineText(VmRuntime rt) {
        GuestLink link = rt.link;
        if (link == null || link.state() != AgentState.CONNECTED) {
            return Optional.empty();
        }
        return link.latestFacts().map(f -> f.getOnlineCpus())
                .or(() -> link.guestInfo().map(g -> g.getOnlineCpus()));
    }

    /** The Actuator: backend pins on this (reconcile) thread's behalf, balloons through the guest link. */
    private void execute(Action action) throws Exception {
        VmRuntime rt = vms.get(action.vm());
        if (action instanceof Action.PinVcpu p) {
            synchronized (backend) {
                backend.pinVcpu(p.vm(), p.vcpu(), p.cpus());
            }
        } else if (action instanceof Action.PinEmulator e) {
            synchronized (backend) {
                backend.pinEmulator(e.vm(), e.cpus());
            }
        } else if (action instanceof Action.Balloon b) {
            int lease = b.online() < rt.vcpus ? config.leaseMs() : 0;
            SetOnlineVcpusResult r = await(rt.link.setOnlineCount(b.online(), lease, COMMAND_TIMEOUT));
            if (r.getErrorsCount() > 0) {
                throw new Exception("VM " + b.vm() + ": guest could not switch CPUs: " + r.getErrorsList()
                        + (r.getRolledBack() ? " (rolled back to " + r.getOnlineCpus() + ")" : ""));
            }
            LOG.info("VM {}: guest online {} ({} us in the guest)", b.vm(), r.getOnlineCpus(), r.getElapsedUs());
        }
    }

    private void renewLeases() {
        for (VmRuntime rt : vms.values()) {
            if (rt.link == null || rt.link.state() != AgentState.CONNECTED || rt.plan == null
                    || rt.plan.onlineVcpus() >= rt.vcpus) {
                continue;
            }
            rt.link.renewLease(config.leaseMs(), COMMAND_TIMEOUT).whenComplete((r, e) -> {
                if (e != null) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    if (cause instanceof GuestCommandException g && g.code() == Error.Code.REFUSED) {
                        // The guest holds no lease (it restarted, or the lease ran out): balloon it again.
                        requestReconcile();
                    } else {
                        LOG.warn("VM {}: lease renewal failed: {}", rt.config.name(), cause.getMessage());
                    }
                }
            });
        }
    }

    private <T> T onReconcileThread(Callable<T> task) throws Exception {
        try {
            return reconcileThread.submit(task).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        try {
            return f.get(COMMAND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new Exception("no answer from the guest", e);
        }
    }

    /**
     * Graceful stop: every guest back to all vCPUs and every vCPU free to run anywhere, so stopping the
     * daemon leaves VMs as they were before it. (A killed daemon relies on the guests' leases instead.)
     */
    @Override
    public void close() {
        try {
            onReconcileThread(() -> {
                for (VmRuntime rt : vms.values()) {
                    if (rt.link != null && rt.link.state() == AgentState.CONNECTED && rt.vcpus > 0) {
                        try {
                            await(rt.link.setOnlineCount(rt.vcpus, 0, Duration.ofSeconds(5)));
                        } catch (Exception e) {
                            LOG.warn("VM {}: could not restore vCPUs: {}", rt.config.name(), e.getMessage());
                        }
                    }
                    for (int v = 0; v < rt.vcpus; v++) {
                        try {
                            backend.pinVcpu(rt.config.name(), v, topology.cpus());
                        } catch (BackendException e) {
                            break;
                        }
                    }
                }
                return null;
            });
        } catch (Exception e) {
            LOG.warn("restoring VMs on stop failed: {}", e.toString());
        }
        for (VmRuntime rt : vms.values()) {
            if (rt.link != null) {
                rt.link.close();
            }
        }
        reconcileThread.shutdownNow();
        renewThread.shutdownNow();
        guestCommands.shutdownNow();
        backend.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
