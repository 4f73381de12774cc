package io.vcpubal.guest.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.RenewLease;
import io.vcpubal.protocol.v1.SetOnlineVcpus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The balloon commands on a 4-vCPU fixture guest (cpu0 without online file), with a clock that stands still
 * so a lease's remaining time shows whether it was touched.
 */
class BalloonCommandsTest {
    @TempDir
    Path root;

    final List<String> writes = new ArrayList<>();
    final List<CpuSet> changes = new ArrayList<>();
    CommandRegistry registry;

    @BeforeEach
    void fourCpusAllOnline() throws IOException {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        CpuSysfs sysfs = new CpuSysfs(root, SysfsFixture.recording(writes));
        Clock still = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
        VcpuBalloon balloon = new VcpuBalloon(sysfs, BalloonPolicy.DEFAULT);
        BalloonLease lease = new BalloonLease(balloon, still);
        registry = new BalloonCommands(lease, balloon::usage, changes::add).registerInto(new CommandRegistry());
    }

    record ShortLease(String name, SetOnlineVcpus.Builder request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ShortLease> shrinksWithTooShortALease() {
        return Stream.of(
                new ShortLease("count shrink, 999 ms", SetOnlineVcpus.newBuilder().setCount(2).setLeaseMs(999)),
                new ShortLease("count shrink, 1 ms", SetOnlineVcpus.newBuilder().setCount(1).setLeaseMs(1)),
                new ShortLease("set shrink, 500 ms", SetOnlineVcpus.newBuilder().setCpus("0-1").setLeaseMs(500)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shrinksWithTooShortALease")
    void aShrinkWithALeaseBelowTheMinimumIsRefusedAndChangesNothing(ShortLease c) throws IOException {
        Error e = send(1, Command.newBuilder().setSetOnlineVcpus(c.request())).getError();
        assertEquals(Error.Code.REFUSED, e.getCode());
        assertEquals(1, e.getRequestId());
        assertTrue(e.getMessage().contains("needs a lease of at least 1000 ms, got " + c.request().getLeaseMs() + " ms"),
                e.getMessage());
        assertEquals(List.of(), writes);
        assertEquals(List.of(), changes);
        assertEquals(CpuSet.parse("0-3"), SysfsFixture.onlineCpus(root));
    }

    @Test
    void theMinimumItselfIsAccepted() throws IOException {
        Envelope answer = send(2, Command.newBuilder().setSetOnlineVcpus(
                SetOnlineVcpus.newBuilder().setCount(2).setLeaseMs(1000)));
        assertEquals("0-1", answer.getResult().getOnlineVcpus().getOnlineCpus(), answer::toString);
        assertEquals(1000, answer.getResult().getOnlineVcpus().getLeaseRemainingMs());
        assertEquals(List.of(CpuSet.parse("0-1")), changes);
    }

    @Test
    void aShortLeaseIsIgnoredWhenNothingStaysOffline() throws IOException {
        shrink(2, 5000);
        Envelope answer = send(3, Command.newBuilder().setSetOnlineVcpus(
                SetOnlineVcpus.newBuilder().setCount(4).setLeaseMs(10)));
        assertEquals("0-3", answer.getResult().getOnlineVcpus().getOnlineCpus(), answer::toString);
        assertEquals(0, answer.getResult().getOnlineVcpus().getLeaseRemainingMs(), "growing back ends the lease");
    }

    @Test
    void aLeaseAboveTwoToTheThirtyFirstIsTooLongNotNegative() {
        Error e = send(4, Command.newBuilder().setSetOnlineVcpus(
                SetOnlineVcpus.newBuilder().setCount(2).setLeaseMs(-1))).getError();
        assertEquals(Error.Code.REFUSED, e.getCode());
        assertTrue(e.getMessage().contains("lease of 4294967295 ms is outside 0-3600000 ms"), e.getMessage());
    }

    @ParameterizedTest(name = "renew with {0} ms")
    @MethodSource("renewalsBelowTheMinimum")
    void aRenewalBelowTheMinimumIsRefusedAndLeavesTheLeaseAlone(int leaseMs) {
        shrink(2, 5000);
        Error e = send(5, Command.newBuilder().setRenewLease(RenewLease.newBuilder().setLeaseMs(leaseMs))).getError();
        assertEquals(Error.Code.REFUSED, e.getCode());
        assertEquals("lease of " + leaseMs + " ms is below the minimum of 1000 ms", e.getMessage());
        Envelope now = send(6, Command.newBuilder().setGetOnlineVcpus(
                io.vcpubal.protocol.v1.GetOnlineVcpus.getDefaultInstance()));
        assertEquals(5000, now.getResult().getOnlineVcpus().getLeaseRemainingMs(), "lease untouched");
        assertEquals("0-1", now.getResult().getOnlineVcpus().getOnlineCpus());
    }

    static Stream<Integer> renewalsBelowTheMinimum() {
        return Stream.of(0, 1, 999);
    }

    @Test
    void aRenewalAtTheMinimumIsGranted() {
        shrink(2, 5000);
        Envelope answer = send(7, Command.newBuilder().setRenewLease(RenewLease.newBuilder().setLeaseMs(1000)));
        assertEquals(1000, answer.getResult().getOnlineVcpus().getLeaseRemainingMs(), answer::toString);
    }

    @Test
    void aRenewalAboveTheMaximumIsRefused() {
        shrink(2, 5000);
        Error e = send(8, Command.newBuilder().setRenewLease(RenewLease.newBuilder().setLeaseMs(3_600_001))).getError();
        assertEquals(Error.Code.REFUSED, e.getCode());
        assertEquals("lease of 3600001 ms is above the maximum of 3600000 ms", e.getMessage());
    }

    private void shrink(int count, int leaseMs) {
        Envelope answer = send(100, Command.newBuilder().setSetOnlineVcpus(
                SetOnlineVcpus.newBuilder().setCount(count).setLeaseMs(leaseMs)));
        assertTrue(answer.hasResult(), answer::toString);
    }

    private Envelope send(long id, Command.Builder command) {
        return registry.dispatch(command.setRequestId(id).build()).build();
    }
}
