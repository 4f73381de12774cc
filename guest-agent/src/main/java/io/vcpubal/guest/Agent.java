package io.vcpubal.guest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.client.CpuState;
import io.vcpubal.guest.apps.AppContention;
import io.vcpubal.guest.apps.NotifyServer;
import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.BalloonResult;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.guest.commands.BalloonCommands;
import io.vcpubal.guest.commands.ClassCommands;
import io.vcpubal.guest.fence.Cgroup2Mount;
import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.guest.fence.Fences;
import io.vcpubal.guest.commands.CommandRegistry;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.lease.LeaseWatchdog;
import io.vcpubal.guest.lease.MonotonicClock;
import io.vcpubal.guest.link.AgentHandler;
import io.vcpubal.guest.link.FactsBuilder;
import io.vcpubal.guest.link.GuestInfoReader;
import io.vcpubal.guest.metrics.ProcessSampler;
import io.vcpubal.guest.metrics.SystemSampler;
import io.vcpubal.guest.policy.ClassAvailability;
import io.vcpubal.guest.policy.ClassEnforcer;
import io.vcpubal.guest.policy.systemd.Systemctl;
import io.vcpubal.guest.policy.systemd.UnitClasses;
import io.vcpubal.guest.policy.ClassGroups;
import io.vcpubal.guest.policy.ClassView;
import io.vcpubal.guest.policy.IdentityReader;
import io.vcpubal.guest.policy.ProcessClasses;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.transport.Reconnector;
import io.vcpubal.protocol.transport.SocketTransport;
import io.vcpubal.protocol.transport.StreamTransport;
import io.vcpubal.protocol.transport.Transport;
import io.vcpubal.protocol.transport.VirtioPortLocator;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.GuestFacts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running agent: wires balloon, lease, process classes, facts, notify socket and the host link. */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** A systemctl call of the unit classes: under TCG one takes ~0.2 s, a loaded manager can take seconds. */
    private static final java.time.Duration SYSTEMCTL_DEADLINE = java.time.Duration.ofSeconds(10);
    /** Process classes are scanned at a quarter of the report period, but never more often than this. */
    private static final long MIN_CLASS_SCAN_MS = 250;

    private final AgentConfig config;
    private final CpuSysfs sysfs;
    private final CpuFence fence;
    private final VcpuBalloon balloon;
    private final BalloonLease lease;
    private final ClassAvailability classesOffered;
    /** Null when this guest has no process classes ({@link #classesOffered} says why). */
    private final ClassEnforcer classes;
    private final ScheduledExecutorService timer;
    private final EventLoopGroup loop;
    private final AppContention noApps = new AppContention();
    private volatile NotifyServer notify;
    private volatile FactsBuilder facts;
    private volatile ChannelHandlerContext link;
    private volatile Reconnector reconnector;
    private volatile Transport transport;
    private final AtomicLong seq = new AtomicLong();

    public Agent(AgentConfig config) {
        this.config = config;
        this.sysfs = new CpuSysfs(config.root());
        this.fence = config.fence() ? Fences.forGuest(config.root(), sysfs)
                : CpuFence.unavailable("fencing is turned off in the agent's configuration");
        this.balloon = new VcpuBalloon(sysfs, fence, new BalloonPolicy(config.floor(), config.protectedCpus()),
                System::nanoTime);
        this.lease = new BalloonLease(balloon, MonotonicClock.create(), expiry -> {
            FactsBuilder f = facts;
            if (f != null) {
                f.recordExpiry();
            }
            publish(expiry.restore().usable(), System.nanoTime());
        });
        // After the fence: its probe may have mounted cgroup v2, which this one then finds.
        this.classesOffered = config.classes() ? ClassAvailability.probe(config.root(), Cgroup2Mount.LIBC)
                : ClassAvailability.off("process classes are turned off in the agent's configuration");
        this.classes = classesOffered.cgroupRoot().map(cg -> classEnforcer(config, cg)).orElse(null);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vcpubal-timer");
            t.setDaemon(true);
            return t;
        });
        this.loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    private ClassEnforcer classEnforcer(AgentConfig config, Path cgroupRoot) {
        int self = (int) ProcessHandle.current().pid();
        if (classesOffered.systemd()) {
            return new UnitClasses(Systemctl.process(SYSTEMCTL_DEADLINE), config.root(), cgroupRoot,
                    UnitClasses.unitOf(config.root().resolve("proc"), self), MonotonicClock.create());
        }
        return new ProcessClasses(new ClassGroups(cgroupRoot, CpuSysfs.FILE_WRITER, fence, ClassGroups.RMDIR),
                new IdentityReader(config.root()), config.root(), self, MonotonicClock.create());
    }

    /** Starts everything; the host link keeps retrying on its own. */
    public void start() {
        fence.unavailable().ifPresentOrElse(why -> LOG.info("balloon modes: hotplug ({})", why),
                () -> LOG.info("balloon modes: hotplug, fence"));
        // A previous agent that died while the guest was shrunk left no lease behind: start from all CPUs.
        BalloonResult restored = lease.restoreAll();
        if (!restored.before().equals(restored.usable())) {
            LOG.warn("CPUs were left offline or fenced by a previous run; restored: {}", restored);
        }
        classesOffered.unavailable().ifPresentOrElse(why -> LOG.info("process classes: not offered ({})", why),
                () -> LOG.info("process classes: offered"));
        if (classes != null) {
            // After the restore above: it widened any class groups the fence of a previous run had narrowed.
            classes.removeLeftovers();
        }
        LeaseWatchdog watchdog = new LeaseWatchdog(lease, timer);
        watchdog.start();
        try {
            notify = NotifyServer.start(config.notifySocket(), config.notifyGroup(), loop);
            LOG.info("applications can subscribe at {}", config.notifySocket());
        } catch (IOException | RuntimeException e) {
            LOG.warn("notify socket {} not available ({}); applications fall back to polling",
                    config.notifySocket(), e.toString());
        }
        long readAt = System.nanoTime();
        publish(balloon.usage().usable(), readAt);
        AppContention apps = notify != null ? notify.contention() : noApps;
        facts = new FactsBuilder(new SystemSampler(config.root()),
                new ProcessSampler(config.root(), config.topProcesses()), balloon::usage, lease, apps,
                classes != null ? classes : ClassView.NONE, config.reportPeriodMs(), config.processPeriodMs());
        facts.build(); // baseline, so the first report already has rates
        // A command's result was read before this callback runs, so "now" is a safe stamp for it.
        CommandRegistry commands = new BalloonCommands(lease, balloon::usage, online -> publish(online, System.nanoTime()))
                .registerInto(new CommandRegistry());
        (classes != null ? new ClassCommands(classes)
                : ClassCommands.unavailable(classesOffered.unavailable().orElse("not offered"))).registerInto(commands);
        FrameCounters counters = new FrameCounters();
        GuestInfoReader info = new GuestInfoReader(config.root(), sysfs, config.protectedCpus(), config.floor(),
                balloon::usage, balloon.modes(), classesOffered.unavailable());
        ProtocolInitializer init = new ProtocolInitializer(
                () -> new AgentHandler(info::read, commands, counters, seq, ctx -> link = ctx),
                io.vcpubal.protocol.Bounds.MAX_FRAME_BYTES, counters);
        timer.scheduleAtFixedRate(this::report, config.reportPeriodMs(), config.reportPeriodMs(), TimeUnit.MILLISECONDS);
        if (classes != null) {
            // New processes join their class a quarter period after they start, so the next report already
            // shows their use there: a high class that wakes is seen one report period later, not two.
            long scanMs = Math.max(MIN_CLASS_SCAN_MS, config.reportPeriodMs() / 4);
            timer.scheduleAtFixedRate(() -> {
                scanClasses();
                if (classes.woke()) {
                    report(); // a class woke: the host hears it now, not at the end of the period
                    // ...and one scan later what it used since: the wake-up report shows processes, not use
                    timer.schedule(this::report, scanMs, TimeUnit.MILLISECONDS);
                }
            }, scanMs, scanMs, TimeUnit.MILLISECONDS);
        }
        connect(init);
    }

    private void connect(ProtocolInitializer init) {
        if (config.tcp() != null) {
            String[] hp = config.tcp().split(":");
            transport = SocketTransport.tcp(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), loop, init);
        } else {
            Optional<Path> dev = Optional.ofNullable(config.device())
                    .or(() -> new VirtioPortLocator(config.root()).locate(config.portName()));
            if (dev.isEmpty()) {
                LOG.warn("virtio-serial port {} not found yet; looking again every second", config.portName());
                timer.schedule(() -> connect(init), 1, TimeUnit.SECONDS);
                return;
            }
            LOG.info("host link on {}", dev.get());
            transport = StreamTransport.charDevice(dev.get(), init);
        }
        reconnector = new Reconnector(transport);
        reconnector.start();
    }

    private void scanClasses() {
        try {
            classes.scan();
        } catch (RuntimeException ex) {
            LOG.warn("process class scan failed: {}", ex.toString());
        }
    }

    private void report() {
        if (classes != null) {
            scanClasses(); // before the facts, so they show processes started since the last scan in their classes
            classes.woke(); // this report shows them
        }
        try {
            long readAt = System.nanoTime();
            GuestFacts f = facts.build();
            // The report already read the online set; reuse it rather than walk sysfs twice a period.
            CpuSet.tryParse(f.getOnlineCpus()).ifPresent(online -> publish(
                    online.minus(CpuSet.tryParse(f.getFencedCpus()).orElse(CpuSet.empty())), readAt));
            Envelope.Builder e = Envelope.newBuilder().setFacts(f);
            ChannelHandlerContext ctx = link;
            if (ctx != null && ctx.channel().isActive()) {
                ctx.writeAndFlush(e.setSeq(seq.incrementAndGet()).build());
            }
        } catch (RuntimeException ex) {
            LOG.warn("report failed: {}", ex.toString());
        }
    }

    /** @param readAt {@link System#nanoTime()} no later than {@code online} was read (see {@link NotifyServer#publish}) */
    private void publish(CpuSet online, long readAt) {
        NotifyServer n = notify;
        if (n != null && !online.isEmpty()) {
            n.publish(new CpuState(online.size(), online.toString()), readAt);
        }
    }

    /** Brings every CPU back and refuses further changes (shutdown must never leave the guest shrunk), then stops. */
    @Override
    public void close() {
        LOG.info("stopping: restoring all CPUs: {}", lease.restoreAllAndStop());
        if (classes != null) {
            // Before the fence goes: processes leaving a class go to the fence's group, which then moves them on.
            classes.removeAllAndStop();
        }
        fence.dismantle();
        Reconnector r = reconnector;
        if (r != null) {
            r.close();
        }
        Transport t = transport;
        if (t != null) {
            t.close();
        }
        timer.shutdownNow();
        if (notify != null) {
            notify.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
