package io.vcpubal.host.link;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.ProtocolVersion;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.transport.Reconnector;
import io.vcpubal.protocol.transport.SocketTransport;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GetOnlineVcpus;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.RenewLease;
import io.vcpubal.protocol.v1.Role;
import io.vcpubal.protocol.v1.SetOnlineVcpus;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's link to one VM's agent over the Unix socket QEMU made for the VM's virtio-serial port.
 *
 * <p>The host speaks first (the guest cannot see a host connect): Hello on connect, and again every
 * second while the guest has not answered or has gone quiet for {@link #QUIET_AFTER}, which also covers an
 * agent restart behind an unchanged socket. Commands carry request ids and time out on their own. What the
 * guest sends is bounded ({@link GuestMessageCheck}) and rate-limited; the latest facts are kept.
 */
public final class GuestLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestLink.class);
    /**
     * No message for this long and the agent counts as gone: five report periods (the guest says its period
     * in its facts, 1 s by default), at least this much, so a guest that is only slow under load is not
     * mistaken for a dead one.
     */
    public static final Duration QUIET_AFTER = Duration.ofSeconds(10);
    /** Guest periods above this are not believed (a guest must not be able to make itself never "quiet"). */
    private static final long MAX_QUIET_MS = 5L * io.vcpubal.protocol.Bounds.MAX_PERIOD_MS;
    /** A guest may send at most this many envelopes per second; the rest are dropped. */
    static final int MAX_ENVELOPES_PER_SECOND = 50;
    /** Guest Hellos that count (and may trigger a round) at most this often; more are dropped. */
    static final long MIN_HELLO_SPACING_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Facts kept at most this often: the shortest report period the proto allows. */
    static final long MIN_FACTS_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(io.vcpubal.protocol.Bounds.MIN_PERIOD_MS);
    /** Bytes queued towards a guest that does not read, before further writes are refused. */
    static final int MAX_QUEUED_WRITE_BYTES = 64 * 1024;

    private final String vm;
    private final EventLoopGroup loop;
    private final Reconnector reconnector;
    private final SocketTransport transport;
    private final FrameCounters counters = new FrameCounters();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final Consumer<GuestLink> onChange;
    /** Told (on the event loop) of every facts report accepted; the daemon's demand estimate feeds on it. */
    private volatile Consumer<GuestFacts> onFacts = f -> { };
    private final LinkTicker ticker;
    private volatile Channel channel;
    private volatile AgentState state = AgentState.NO_AGENT;
    private volatile GuestInfo guestInfo;
    private volatile GuestFacts facts;
    /** The guest's online set as last heard: from facts or from a command's answer, whichever came last. */
    private volatile String onlineCpus;
    /** Online CPUs the guest keeps fenced (fence mode), as last heard with {@link #onlineCpus}; "" = none. */
    private volatile String fencedCpus = "";
    private long lastHelloNanos;
    private long lastFactsNanos;
    private volatile long lastContactMillis;
    private volatile Error lastGuestError;
    private volatile long lastMessageNanos;
    private long windowStartNanos;
    private int windowCount;
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicLong droppedWrites = new AtomicLong();

    private record Pending(CompletableFuture<CommandResult> future, ScheduledFuture<?> timeout) {}

    /**
     * @param ticker the event loop and one-second tick the link shares with the host's other links
     * @param onChange told (on the event loop) when the agent state changes or a guest Hello arrives
     */
    public GuestLink(String vm, Path agentSocket, LinkTicker ticker, Consumer<GuestLink> onChange) {
        this.vm = vm;
        this.loop = ticker.loop();
        this.onChange = onChange;
        ProtocolInitializer init = new ProtocolInitializer(() -> new GuestLinkHandler(this),
                io.vcpubal.protocol.Bounds.MAX_FRAME_BYTES, counters,
                // A flooding guest stops being read past this; its bytes wait in QEMU, not in the host's CPU.
                io.vcpubal.protocol.codec.ReadRateLimiter.DEFAULT_BYTES_PER_SECOND);
        this.transport = SocketTransport.unix(agentSocket, loop, init);
        this.reconnector = new Reconnector(transport);
        this.ticker = ticker;
        ticker.add(this);
        reconnector.start();
    }

    public String vm() {
        return vm;
    }

    public AgentState state() {
        return state;
    }

    public Optional<GuestInfo> guestInfo() {
        return Optional.ofNullable(guestInfo);
    }

    /** Sets who hears of each accepted facts report (one listener; it must not block the event loop). */
    public void onFacts(Consumer<GuestFacts> listener) {
        this.onFacts = java.util.Objects.requireNonNull(listener);
    }

    public Optional<GuestFacts> latestFacts() {
        return Optional.ofNullable(facts);
    }

    /** The guest's online CPUs as it last said (facts, a command's answer or its Hello); empty before a Hello. */
    public Optional<String> onlineCpus() {
        return Optional.ofNullable(onlineCpus);
    }

    /** The online CPUs the guest keeps fenced, heard with {@link #onlineCpus()}; "" when none. */
    public String fencedCpus() {
        return fencedCpus;
    }

    /** Whether the agent offered fence mode in its Hello. */
    public boolean offersFence() {
        GuestInfo g = guestInfo;
        return g != null && g.getBalloonModesList().contains(io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_FENCE);
    }

    /** Wall-clock millis of the last message from the guest; 0 = never. */
    public long lastContactMillis() {
        return lastContactMillis;
    }

    /** The last error the guest reported outside any command (e.g. input it dropped). */
    public Optional<Error> lastGuestError() {
        return Optional.ofNullable(lastGuestError);
    }

    public FrameCounters counters() {
        return counters;
    }

    public long droppedMessages() {
        return droppedMessages.get();
    }

    /** Asks the guest to keep {@code count} CPUs online (lease needed for a shrink). */
    public CompletableFuture<SetOnlineVcpusResult> setOnlineCount(int count, int leaseMs, Duration timeout) {
        return send(Command.newBuilder().setSetOnlineVcpus(SetOnlineVcpus.newBuilder().setCount(count).setLeaseMs(leaseMs)),
                timeout);
    }

    /** Asks the guest to keep exactly {@code cpulist} online (hotplug). */
    public CompletableFuture<SetOnlineVcpusResult> setOnlineCpus(String cpulist, int leaseMs, Duration timeout) {
        return setUsableCpus(cpulist, io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_HOTPLUG, leaseMs, timeout);
    }

    /** Asks the guest to keep exactly {@code cpulist} usable, the others leaving use in {@code mode}. */
    public CompletableFuture<SetOnlineVcpusResult> setUsableCpus(String cpulist, io.vcpubal.protocol.v1.BalloonMode mode,
                                                                 int leaseMs, Duration timeout) {
        return send(Command.newBuilder().setSetOnlineVcpus(SetOnlineVcpus.newBuilder().setCpus(cpulist)
                .setLeaseMs(leaseMs).setMode(mode)), timeout);
    }

    public CompletableFuture<SetOnlineVcpusResult> renewLease(int leaseMs, Duration timeout) {
        return send(Command.newBuilder().setRenewLease(RenewLease.newBuilder().setLeaseMs(leaseMs)), timeout);
    }

    public CompletableFuture<SetOnlineVcpusResult> getOnline(Duration timeout) {
        return send(Command.newBuilder().setGetOnlineVcpus(GetOnlineVcpus.getDefaultInstance()), timeout);
    }

    /** Sends a balloon command; the future fails with {@link GuestCommandException} on an Error answer or timeout. */
    public CompletableFuture<SetOnlineVcpusResult> send(Command.Builder command, Duration timeout) {
        return sendCommand(command, timeout).thenApply(CommandResult::getOnlineVcpus);
    }

    /** Replaces the guest's process classes (protocol 1.2); fails like {@link #send}. */
    public CompletableFuture<ProcessClassesResult> setProcessClasses(SetProcessClasses classes, Duration timeout) {
        return sendCommand(Command.newBuilder().setSetProcessClasses(classes), timeout)
                .thenApply(CommandResult::getProcessClasses);
    }

    /** Whether the guest's agent said in its Hello that it carries out process classes. */
    public boolean offersProcessClasses() {
        GuestInfo g = guestInfo;
        return g != null && g.getProcessClasses();
    }

    /** Sends any command; the future fails with {@link GuestCommandException} on an Error answer or timeout. */
    public CompletableFuture<CommandResult> sendCommand(Command.Builder command, Duration timeout) {
        CompletableFuture<CommandResult> f = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || state != AgentState.CONNECTED) {
            f.completeExceptionally(new GuestCommandException(Error.Code.CODE_UNSPECIFIED,
                    "VM " + vm + ": agent not connected (" + state + ")"));
            return f;
        }
        long id = requestIds.incrementAndGet();
        ScheduledFuture<?> t = loop.schedule(() -> fail(id, GuestCommandException.timeout("VM " + vm
                + ": no answer to request " + id + " within " + timeout.toMillis() + " ms")),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        pending.put(id, new Pending(f, t));
        write(ch, Envelope.newBuilder().setCommand(command.setRequestId(id))).addListener(w -> {
            if (!w.isSuccess()) {
                t.cancel(false);
                fail(id, new GuestCommandException(Error.Code.CODE_UNSPECIFIED,
                        "VM " + vm + ": cannot send request " + id + ": " + w.cause().getMessage()));
            }
        });
        return f;
    }

    /** The current channel, for tests that write raw bytes. */
    public Optional<Channel> channel() {
        return Optional.ofNullable(channel);
    }

    void connected(Channel ch) {
        channel = ch;
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(MAX_QUEUED_WRITE_BYTES / 2, MAX_QUEUED_WRITE_BYTES));
        windowStartNanos = System.nanoTime();
        windowCount = 0;
        forgetGuest();
        if (state != AgentState.INCOMPATIBLE) {
            setState(AgentState.CONNECTING);
        }
        // Greet once per connection even when incompatible: the guest may have been upgraded meanwhile.
        sendHello(ch);
    }

    void disconnected(Channel ch) {
        if (channel == ch) {
            channel = null;
            failAll("VM " + vm + ": link to the agent closed");
            forgetGuest();
            if (state != AgentState.INCOMPATIBLE) {
                setState(AgentState.NO_AGENT);
            }
        }
    }

    void received(Channel ch, Envelope msg) {
        if (!withinRate()) {
            droppedMessages.incrementAndGet();
            return;
        }
        lastMessageNanos = System.nanoTime();
        lastContactMillis = System.currentTimeMillis();
        switch (msg.getBodyCase()) {
            case HELLO -> hello(ch, msg);
            case FACTS -> {
                Optional<String> problem = GuestMessageCheck.problemWith(msg.getFacts());
                long now = System.nanoTime();
                if (problem.isPresent()) {
                    droppedMessages.incrementAndGet();
                    LOG.debug("VM {}: dropped facts: {}", vm, problem.get());
                } else if (state == AgentState.CONNECTED) {
                    if (facts != null && now - lastFactsNanos < MIN_FACTS_SPACING_NANOS) {
                        droppedMessages.incrementAndGet();
                        return;
                    }
                    lastFactsNanos = now;
                    facts = msg.getFacts();
                    updateOnline(facts.getOnlineCpus(), facts.getFencedCpus());
                    onFacts.accept(facts);
                } else {
                    // Facts from an agent we have not greeted (it restarted): greet it again.
                    sendHello(ch);
                }
            }
            case RESULT -> {
                Pending p = pending.remove(msg.getResult().getRequestId());
                if (p != null) {
                    p.timeout.cancel(false);
                    if (!msg.getResult().getOnlineVcpus().getOnlineCpus().isEmpty()) {
                        updateOnline(msg.getResult().getOnlineVcpus().getOnlineCpus(),
                                msg.getResult().getOnlineVcpus().getFencedCpus());
                    }
                    p.future.complete(msg.getResult());
                }
            }
            case ERROR -> {
                Error e = msg.getError();
                Pending p = e.getRequestId() == 0 ? null : pending.remove(e.getRequestId());
                if (p != null) {
                    p.timeout.cancel(false);
                    p.future.completeExceptionally(new GuestCommandException(e.getCode(),
                            "VM " + vm + ": " + e.getCode() + ": " + e.getMessage()));
                } else if (e.getCode() == Error.Code.HELLO_REQUIRED) {
                    // The agent restarted behind the same socket and lost our Hello: greet it again.
                    setState(AgentState.CONNECTING);
                    sendHello(ch);
                } else {
                    lastGuestError = e;
                    LOG.debug("VM {}: agent reports {}: {}", vm, e.getCode(), e.getMessage());
                }
            }
            default -> { }
        }
    }

    void badInput(Throwable cause) {
        droppedMessages.incrementAndGet();
        LOG.warn("VM {}: undecodable message from the guest: {}", vm, cause.toString());
    }

    private void hello(Channel ch, Envelope msg) {
        var incompatible = ProtocolVersion.incompatibility(msg.getHello());
        if (incompatible.isPresent()) {
            LOG.error("VM {}: {}", vm, incompatible.get().getMessage());
            write(ch, Envelope.newBuilder().setError(incompatible.get())).addListener(f -> ch.close());
            setState(AgentState.INCOMPATIBLE);
            return;
        }
        Optional<String> problem = GuestMessageCheck.problemWith(msg.getHello().getGuest());
        if (problem.isPresent()) {
            LOG.warn("VM {}: ignored guest Hello: {}", vm, problem.get());
            return;
        }
        long now = System.nanoTime();
        if (guestInfo != null && now - lastHelloNanos < MIN_HELLO_SPACING_NANOS) {
            droppedMessages.incrementAndGet(); // a guest re-greeting in a loop must not drive the host
            return;
        }
        lastHelloNanos = now;
        // A new Hello is a new agent: what the previous one reported no longer holds.
        facts = null;
        guestInfo = msg.getHello().getGuest();
        onlineCpus = guestInfo.getOnlineCpus();
        fencedCpus = guestInfo.getFencedCpus();
        setState(AgentState.CONNECTED);
        onChange.accept(this);
    }

    /** Once a second, from {@link LinkTicker}. */
    void tick() {
        Channel ch = channel;
        if (ch == null || state == AgentState.INCOMPATIBLE) {
            return;
        }
        long quietMs = quietAfterMillis();
        boolean quiet = System.nanoTime() - lastMessageNanos > TimeUnit.MILLISECONDS.toNanos(quietMs);
        if (state == AgentState.CONNECTED && quiet) {
            // QEMU's socket stays open when the agent inside dies: silence is how a dead agent shows.
            LOG.warn("VM {}: agent silent for {} s", vm, quietMs / 1000);
            setState(AgentState.NO_AGENT);
        }
        if (state != AgentState.CONNECTED) {
            sendHello(ch);
        }
    }

    /** How long the guest may be silent before it counts as gone (see {@link #QUIET_AFTER}). */
    long quietAfterMillis() {
        long period = facts == null ? 0 : facts.getPeriodMs();
        return Math.max(QUIET_AFTER.toMillis(), Math.min(5 * period, MAX_QUIET_MS));
    }

    private void sendHello(Channel ch) {
        write(ch, Envelope.newBuilder().setHello(ProtocolVersion.hello(Role.ROLE_HOST).setVmName(vm)));
    }

    private io.netty.channel.ChannelFuture write(Channel ch, Envelope.Builder e) {
        if (!ch.isWritable()) {
            // The guest does not read: queue nothing more for it (commands then time out, only for this VM).
            droppedWrites.incrementAndGet();
            return ch.newFailedFuture(new java.io.IOException("VM " + vm + ": guest is not reading its port"));
        }
        return ch.writeAndFlush(e.setSeq(seq.incrementAndGet()).build());
    }

    private void updateOnline(String cpus, String fenced) {
        String before = onlineCpus;
        String fencedBefore = fencedCpus;
        onlineCpus = cpus;
        fencedCpus = fenced;
        if (before != null && (!before.equals(cpus) || !fencedBefore.equals(fenced)) && state == AgentState.CONNECTED) {
            onChange.accept(this); // the guest's CPUs changed: the host re-asserts its set if they differ
        }
    }

    private void forgetGuest() {
        facts = null;
        guestInfo = null;
        onlineCpus = null;
        fencedCpus = "";
    }

    /** Writes refused because the guest did not read. */
    public long droppedWrites() {
        return droppedWrites.get();
    }

    private boolean withinRate() {
        long now = System.nanoTime();
        if (now - windowStartNanos > 1_000_000_000L) {
            windowStartNanos = now;
            windowCount = 0;
        }
        return ++windowCount <= MAX_ENVELOPES_PER_SECOND;
    }

    private void setState(AgentState next) {
        AgentState prev = state;
        state = next;
        if (prev != next) {
            LOG.info("VM {}: agent {} -> {}", vm, prev, next);
            onChange.accept(this);
        }
    }

    private void fail(long id, GuestCommandException why) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.future.completeExceptionally(why);
        }
    }

    private void failAll(String why) {
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.timeout.cancel(false);
                p.future.completeExceptionally(new GuestCommandException(Error.Code.CODE_UNSPECIFIED, why));
            }
        }
    }

    @Override
    public void close() {
        ticker.remove(this);
        reconnector.close();
        transport.close();
        failAll("VM " + vm + ": link closed by the host");
    }
}
