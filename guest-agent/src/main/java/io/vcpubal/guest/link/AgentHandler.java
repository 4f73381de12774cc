package io.vcpubal.guest.link;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.vcpubal.guest.commands.CommandRegistry;
import io.vcpubal.protocol.ProtocolVersion;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.codec.FrameStats;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.Heartbeat;
import io.vcpubal.protocol.v1.Role;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of one host link. The host speaks first (a guest cannot see a host connect to a
 * virtio-serial port): on the host's Hello the agent checks the protocol major, answers with its own Hello
 * and from then on answers Commands through the {@link CommandRegistry}. Bad input never ends the agent:
 * an unparsable frame or dropped bytes are answered with an Error and the link stays up.
 */
public final class AgentHandler extends SimpleChannelInboundHandler<Envelope> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHandler.class);

    private final Supplier<GuestInfo> guestInfo;
    private final CommandRegistry commands;
    private final FrameCounters counters;
    private final Consumer<ChannelHandlerContext> onReady;
    private final AtomicLong seq;
    private FrameStats lastStats;
    private boolean greeted;

    /**
     * @param onReady called once the handshake is done: the link may then carry facts
     * @param seq the link's envelope sequence, shared with the facts reporter
     */
    /** Hellos further apart than this are a host that came back (a daemon restart), worth a log line. */
    static final long NEW_HOST_AFTER_NANOS = 5_000_000_000L;
    private long lastHelloNanos;

    public AgentHandler(Supplier<GuestInfo> guestInfo, CommandRegistry commands, FrameCounters counters,
                        AtomicLong seq, Consumer<ChannelHandlerContext> onReady) {
        this.guestInfo = guestInfo;
        this.commands = commands;
        this.counters = counters;
        this.seq = seq;
        this.onReady = onReady;
        this.lastStats = counters.snapshot();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        reportDroppedInput(ctx);
        switch (msg.getBodyCase()) {
            case HELLO -> {
                var incompatible = ProtocolVersion.incompatibility(msg.getHello());
                if (incompatible.isPresent()) {
                    LOG.error("{}; closing the link", incompatible.get().getMessage());
                    send(ctx, Envelope.newBuilder().setError(incompatible.get()))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                // A waiting host greets every second, and QEMU delivers the Hellos it held for a port no agent had
                // open all at once: log a host once, not once per Hello.
                long now = System.nanoTime();
                boolean news = !greeted || now - lastHelloNanos > NEW_HOST_AFTER_NANOS;
                lastHelloNanos = now;
                if (news) {
                    LOG.info("host {} (software {}, protocol {}.{}) connected", msg.getHello().getVmName(),
                            msg.getHello().getSoftwareVersion(), msg.getHello().getProtocolMajor(),
                            msg.getHello().getProtocolMinor());
                } else {
                    LOG.debug("host {} greeted again", msg.getHello().getVmName());
                }
                send(ctx, Envelope.newBuilder().setHello(ProtocolVersion.hello(Role.ROLE_GUEST).setGuest(guestInfo.get())));
                if (!greeted) {
                    greeted = true;
                    onReady.accept(ctx);
                }
            }
            case COMMAND -> {
                if (!greeted) {
                    // The code is what hosts act on; the text keeps its old words for hosts that still match them.
                    send(ctx, CommandRegistry.error(Error.Code.HELLO_REQUIRED,
                            "send Hello before commands (this command arrived before the host's Hello on this link)",
                            msg.getCommand().getRequestId()));
                    return;
                }
                send(ctx, commands.dispatch(msg.getCommand()));
            }
            case HEARTBEAT -> send(ctx, Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                    .setMonotonicNs(System.nanoTime())
                    .setEchoMonotonicNs(msg.getHeartbeat().getMonotonicNs())));
            case ERROR -> LOG.warn("host reports error {}: {}", msg.getError().getCode(), msg.getError().getMessage());
            default -> send(ctx, CommandRegistry.error(Error.Code.MALFORMED,
                    "unexpected message from the host: " + msg.getBodyCase(), 0));
        }
    }

    /** Sends with the link's next sequence number. */
    io.netty.channel.ChannelFuture send(ChannelHandlerContext ctx, Envelope.Builder e) {
        return ctx.writeAndFlush(e.setSeq(seq.incrementAndGet()).build());
    }

    /** Tells the host when the frame decoder dropped input since the last message, so bad frames are answered. */
    private void reportDroppedInput(ChannelHandlerContext ctx) {
        FrameStats now = counters.snapshot();
        long bytes = now.droppedBytes() - lastStats.droppedBytes();
        long oversized = now.oversizedFrames() - lastStats.oversizedFrames();
        long crc = now.crcErrors() - lastStats.crcErrors();
        lastStats = now;
        if (bytes > 0 || oversized > 0 || crc > 0) {
            LOG.warn("dropped {} bytes of input ({} oversized frames, {} CRC errors)", bytes, oversized, crc);
            send(ctx, CommandRegistry.error(Error.Code.MALFORMED, "agent dropped " + bytes
                    + " bytes of unframed or corrupt input (" + oversized + " oversized frames, " + crc
                    + " CRC errors)", 0));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A frame whose CRC was good but whose content is not an Envelope: answer, keep the link.
        LOG.warn("bad message from host: {}", cause.toString());
        send(ctx, CommandRegistry.error(Error.Code.MALFORMED, "could not decode message: " + cause.getMessage(), 0));
    }
}
