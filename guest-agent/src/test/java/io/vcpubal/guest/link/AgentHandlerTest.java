package io.vcpubal.guest.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.vcpubal.guest.commands.CommandRegistry;
import io.vcpubal.protocol.ProtocolVersion;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GetOnlineVcpus;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.Heartbeat;
import io.vcpubal.protocol.v1.Role;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentHandlerTest {
    private final AtomicInteger ready = new AtomicInteger();
    private final EmbeddedChannel ch = new EmbeddedChannel(new AgentHandler(
            () -> GuestInfo.newBuilder().setOnlineCpus("0-3").build(),
            new CommandRegistry().register(Command.KindCase.GET_ONLINE_VCPUS,
                    c -> Envelope.newBuilder().setResult(CommandResult.newBuilder().setRequestId(c.getRequestId()))),
            new FrameCounters(), new AtomicLong(), ctx -> ready.incrementAndGet()));

    private static Envelope hostHello(int major) {
        return Envelope.newBuilder().setHello(ProtocolVersion.hello(Role.ROLE_HOST).setProtocolMajor(major)).build();
    }

    private static Envelope get(long id) {
        return Envelope.newBuilder().setCommand(Command.newBuilder().setRequestId(id)
                .setGetOnlineVcpus(GetOnlineVcpus.getDefaultInstance())).build();
    }

    @Test
    void answersTheHostsHelloWithItsOwnThenServesCommands() {
        ch.writeInbound(hostHello(ProtocolVersion.MAJOR));
        Envelope hello = ch.readOutbound();
        assertEquals(Role.ROLE_GUEST, hello.getHello().getRole());
        assertEquals("0-3", hello.getHello().getGuest().getOnlineCpus());
        assertEquals(1, ready.get());
        ch.writeInbound(get(5));
        Envelope answer = ch.readOutbound();
        assertEquals(5, answer.getResult().getRequestId());
        assertTrue(answer.getSeq() > hello.getSeq(), "sequence numbers increase");
    }

    @Test
    void aCommandBeforeHelloAsksForHelloByCodeAndIsNotExecuted() {
        ch.writeInbound(get(1));
        Envelope e = ch.readOutbound();
        assertEquals(Error.Code.HELLO_REQUIRED, e.getError().getCode());
        assertEquals(1, e.getError().getRequestId());
        assertEquals(0, ready.get());
        assertNull(ch.readOutbound(), "no CommandResult: the command was not executed");

        ch.writeInbound(hostHello(ProtocolVersion.MAJOR));
        assertTrue(((Envelope) ch.readOutbound()).hasHello());
        ch.writeInbound(get(2));
        assertEquals(2, ((Envelope) ch.readOutbound()).getResult().getRequestId(), "served once greeted");
    }

    @Test
    void anotherProtocolMajorIsAnsweredWithBothVersionsAndTheLinkCloses() {
        ch.writeInbound(hostHello(ProtocolVersion.MAJOR + 1));
        Envelope e = ch.readOutbound();
        assertEquals(Error.Code.VERSION_MISMATCH, e.getError().getCode());
        assertTrue(e.getError().getMessage().contains("speaks 2." + ProtocolVersion.MINOR + ", this side speaks 1." + ProtocolVersion.MINOR), e.getError().getMessage());
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void heartbeatsAreEchoed() {
        ch.writeInbound(Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setMonotonicNs(42)).build());
        Envelope e = ch.readOutbound();
        assertEquals(42, e.getHeartbeat().getEchoMonotonicNs());
    }
}
