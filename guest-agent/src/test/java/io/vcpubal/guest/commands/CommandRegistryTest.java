package io.vcpubal.guest.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.GetOnlineVcpus;
import io.vcpubal.protocol.v1.RenewLease;
import org.junit.jupiter.api.Test;

class CommandRegistryTest {
    private final CommandRegistry registry = new CommandRegistry().register(Command.KindCase.GET_ONLINE_VCPUS,
            c -> Envelope.newBuilder().setResult(CommandResult.newBuilder().setRequestId(c.getRequestId())));

    private static Command get(long id) {
        return Command.newBuilder().setRequestId(id).setGetOnlineVcpus(GetOnlineVcpus.getDefaultInstance()).build();
    }

    @Test
    void aRegisteredCommandReachesItsHandler() {
        assertEquals(7, registry.dispatch(get(7)).getResult().getRequestId());
    }

    @Test
    void aCommandOutsideTheAllowListIsUnknownEvenIfTheProtocolHasIt() {
        Error e = registry.dispatch(Command.newBuilder().setRequestId(3)
                .setRenewLease(RenewLease.newBuilder().setLeaseMs(5000)).build()).getError();
        assertEquals(Error.Code.UNKNOWN_COMMAND, e.getCode());
        assertEquals(3, e.getRequestId());
        assertTrue(e.getMessage().contains("RENEW_LEASE is not allowed"), e.getMessage());
    }

    @Test
    void aCommandWithoutKindOrIdIsAnsweredWithAnError() {
        assertEquals(Error.Code.UNKNOWN_COMMAND, registry.dispatch(Command.newBuilder().setRequestId(4).build())
                .getError().getCode());
        assertEquals(Error.Code.MALFORMED, registry.dispatch(get(0)).getError().getCode());
    }

    @Test
    void aFailingHandlerBecomesAnInternalErrorNotACrash() {
        CommandRegistry r = new CommandRegistry().register(Command.KindCase.GET_ONLINE_VCPUS, c -> {
            throw new IllegalStateException("sysfs vanished");
        });
        Error e = r.dispatch(get(9)).getError();
        assertEquals(Error.Code.INTERNAL, e.getCode());
        assertTrue(e.getMessage().contains("sysfs vanished"), e.getMessage());
    }

    @Test
    void errorTextsAreClippedToTheProtocolBound() {
        assertEquals(1024, CommandRegistry.error(Error.Code.INTERNAL, "x".repeat(5000), 1).getError().getMessage().length());
    }
}
