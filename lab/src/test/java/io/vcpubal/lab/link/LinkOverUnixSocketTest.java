package io.vcpubal.lab.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.guest.commands.BalloonCommands;
import io.vcpubal.guest.commands.CommandRegistry;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.lease.MonotonicClock;
import io.vcpubal.guest.link.AgentHandler;
import io.vcpubal.guest.link.GuestInfoReader;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestCommandException;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.link.LinkTicker;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.transport.ListenerTransport;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's GuestLink against the agent's real handler and commands over a real Unix socket, with a
 * QEMU-like one-client listener in between and a fixture sysfs tree of a 4-vCPU guest. The same path over
 * a real virtio-serial port is covered by the lab's real-guest tests.
 */
class LinkOverUnixSocketTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private ListenerTransport agentSide;
    private GuestLink link;
    private Path cpuDir;

    @BeforeEach
    void guestWithFourCpus() throws Exception {
        cpuDir = dir.resolve("root/sys/devices/system/cpu");
        for (int cpu = 0; cpu < 4; cpu++) {
            Files.createDirectories(cpuDir.resolve("cpu" + cpu));
            if (cpu > 0) {
                Files.writeString(cpuDir.resolve("cpu" + cpu + "/online"), "1\n");
            }
        }
        for (String f : new String[] {"possible", "present", "online"}) {
            Files.writeString(cpuDir.resolve(f), "0-3\n");
        }
        Path root = dir.resolve("root");
        CpuSysfs sysfs = new CpuSysfs(root);
        VcpuBalloon balloon = new VcpuBalloon(sysfs, BalloonPolicy.DEFAULT);
        BalloonLease lease = new BalloonLease(balloon, MonotonicClock.create());
        CommandRegistry commands = new BalloonCommands(lease, balloon::usage, online -> { }).registerInto(new CommandRegistry());
        FrameCounters counters = new FrameCounters();
        GuestInfoReader info = new GuestInfoReader(root, sysfs, CpuSet.empty(), 1);
        agentSide = ListenerTransport.unix(dir.resolve("agent.sock"), loop, new ProtocolInitializer(
                () -> new AgentHandler(info::read, commands, counters, new AtomicLong(), ctx -> { }),
                1 << 20, counters));
        agentSide.open(); // accept the host when it comes
        link = new GuestLink("vm0", dir.resolve("agent.sock"), new LinkTicker(loop), l -> { });
        await(() -> link.state() == AgentState.CONNECTED);
    }

    @AfterEach
    void close() {
        link.close();
        agentSide.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void handshakeCarriesTheGuestsCpuLists() {
        var g = link.guestInfo().orElseThrow();
        assertEquals("0-3", g.getOnlineCpus());
        assertEquals("1-3", g.getOfflinableCpus(), "cpu0 has no online file");
        assertEquals(1, g.getMinOnlineCpus());
    }

    @Test
    void shrinkGrowAndRefusals() throws Exception {
        SetOnlineVcpusResult r = link.setOnlineCount(2, 5_000, T).get(10, TimeUnit.SECONDS);
        assertEquals("0-1", r.getOnlineCpus());
        assertEquals("0", Files.readString(cpuDir.resolve("cpu3/online")).trim());
        assertTrue(r.getLeaseRemainingMs() > 0 && r.getLeaseRemainingMs() <= 5_000);

        assertEquals(Error.Code.REFUSED, errorOf(link.setOnlineCpus("1-3", 5_000, T)).code(), "cpu0 cannot go");
        assertEquals(Error.Code.REFUSED, errorOf(link.setOnlineCount(1, 0, T)).code(), "a shrink needs a lease");
        assertEquals("0-1", link.getOnline(T).get(10, TimeUnit.SECONDS).getOnlineCpus(), "refusals change nothing");

        assertTrue(link.renewLease(5_000, T).get(10, TimeUnit.SECONDS).getLeaseRemainingMs() > 4_000);
        r = link.setOnlineCount(4, 0, T).get(10, TimeUnit.SECONDS);
        assertEquals("0-3", r.getOnlineCpus());
        assertEquals(0, r.getLeaseRemainingMs(), "growing back to all ends the lease");
    }

    @Test
    void malformedInputIsAnsweredAndTheAgentKeepsWorking() throws Exception {
        assertEquals(Error.Code.UNKNOWN_COMMAND, errorOf(link.send(Command.newBuilder(), T)).code());
        Channel ch = link.channel().orElseThrow();
        // Raw bytes below the encoders: garbage, then a frame header claiming 2 GiB. Both are dropped by the
        // agent's decoder without allocating, and the agent says so.
        var raw = ch.pipeline().firstContext();
        raw.writeAndFlush(Unpooled.copiedBuffer("stale bytes from an earlier host", StandardCharsets.UTF_8)).sync();
        raw.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFE, (byte) 0xC1, 0x56, 0x42, 0x7F, 0, 0, 0})).sync();
        // A well-framed payload that is not an Envelope: answered with MALFORMED.
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01})).sync();
        await(() -> link.lastGuestError().map(e -> e.getMessage().contains("could not decode")).orElse(false));
        assertEquals(Error.Code.MALFORMED, link.lastGuestError().get().getCode());
        // The dropped bytes are reported with the agent's next answer.
        assertEquals("0-1", link.setOnlineCount(2, 5_000, T).get(10, TimeUnit.SECONDS).getOnlineCpus());
        await(() -> link.lastGuestError().map(e -> e.getMessage().contains("dropped 40 bytes")).orElse(false));
        assertEquals(AgentState.CONNECTED, link.state());
    }

    private static GuestCommandException errorOf(java.util.concurrent.CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(GuestCommandException.class, e.getCause());
        }
        throw new AssertionError("expected the guest to answer with an error");
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
