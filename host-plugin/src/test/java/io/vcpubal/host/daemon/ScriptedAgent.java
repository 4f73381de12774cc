package io.vcpubal.host.daemon;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.ProtocolVersion;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.transport.ListenerTransport;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.Role;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A guest agent that follows a script instead of sysfs, on a QEMU-like one-client Unix socket: it greets like
 * the real agent and then applies, refuses or ignores balloon commands. (The real agent over a real port is
 * what the lab's ITs run; this one lets a test make a guest misbehave on purpose.)
 */
final class ScriptedAgent implements AutoCloseable {
    enum Mode { APPLY, REFUSE, SILENT }

    private final ListenerTransport listener;
    volatile Mode mode;
    volatile CpuSet online;
    final CpuSet present;
    final CpuSet offlinable;
    final int floor;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile ChannelHandlerContext peer;

    ScriptedAgent(Path socket, EventLoopGroup loop, int vcpus, CpuSet offlinable, int floor, Mode mode) {
        this.present = CpuSet.range(0, vcpus - 1);
        this.online = present;
        this.offlinable = offlinable;
        this.floor = floor;
        this.mode = mode;
        listener = ListenerTransport.unix(socket, loop, new ProtocolInitializer(Handler::new, 1 << 20, new FrameCounters()));
        listener.open();
    }

    private final class Handler extends SimpleChannelInboundHandler<Envelope> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            peer = ctx;
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
            switch (msg.getBodyCase()) {
                case HELLO -> ctx.writeAndFlush(Envelope.newBuilder().setHello(ProtocolVersion.hello(Role.ROLE_GUEST)
                        .setGuest(GuestInfo.newBuilder().setPossibleCpus(present.toString())
                                .setPresentCpus(present.toString()).setOnlineCpus(online.toString())
                                .setOfflinableCpus(offlinable.toString()).setMinOnlineCpus(floor))).build());
                case COMMAND -> {
                    long id = msg.getCommand().getRequestId();
                    if (!msg.getCommand().hasSetOnlineVcpus()) {
                        ctx.writeAndFlush(result(id));
                        return;
                    }
                    String wanted = msg.getCommand().getSetOnlineVcpus().getCpus();
                    requests.add(wanted);
                    switch (mode) {
                        case SILENT -> { }
                        case REFUSE -> ctx.writeAndFlush(Envelope.newBuilder().setError(Error.newBuilder()
                                .setCode(Error.Code.REFUSED).setRequestId(id).setMessage("below the floor")).build());
                        case APPLY -> {
                            online = CpuSet.parse(wanted);
                            ctx.writeAndFlush(result(id));
                        }
                    }
                }
                default -> { }
            }
        }

        private Envelope result(long id) {
            return Envelope.newBuilder().setResult(CommandResult.newBuilder().setRequestId(id)
                    .setOnlineVcpus(SetOnlineVcpusResult.newBuilder().setOnlineCpus(online.toString()))).build();
        }
    }

    /** Reports the current online set, as the agent's periodic facts do. */
    void report() {
        ChannelHandlerContext ctx = peer;
        if (ctx != null) {
            ctx.writeAndFlush(Envelope.newBuilder().setFacts(io.vcpubal.protocol.v1.GuestFacts.newBuilder()
                    .setPeriodMs(1000).setOnlineCpus(online.toString())).build());
        }
    }

    /** Sends {@code facts} as they are, as an agent (or a lying guest) would. */
    void report(io.vcpubal.protocol.v1.GuestFacts facts) {
        ChannelHandlerContext ctx = peer;
        if (ctx != null) {
            ctx.writeAndFlush(Envelope.newBuilder().setFacts(facts).build());
        }
    }

    @Override
    public void close() {
        listener.close();
    }
}
