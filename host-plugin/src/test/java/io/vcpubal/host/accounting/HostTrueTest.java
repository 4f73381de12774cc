package io.vcpubal.host.accounting;

import static io.vcpubal.host.accounting.Reports.facts;
import static io.vcpubal.host.accounting.Reports.host;
import static io.vcpubal.host.accounting.Reports.rw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Two (guest report, host sample) points of one VM, one second apart, to the interval's figures. */
class HostTrueTest {
    static final double EPS = 1e-9;

    /** -1 = unknown, as the Interval has it. */
    record Case(String name, GuestFacts before, HostVcpuSample hostBefore, GuestFacts after, HostVcpuSample hostAfter,
                double busyCpus, double runCpus, double factor, double want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> intervals() {
        GuestFacts t0 = facts(10, 500, 500).build();
        return Stream.of(
                new Case("overcommitted: the guest counts 2 CPUs busy, the host ran its vCPUs 1 CPU's worth", t0,
                        host(0, rw(0, 0), rw(0, 0)), facts(11, 600, 600).build(), host(1, rw(500, 500), rw(500, 500)),
                        2, 1, 0.5, 2),
                new Case("not overcommitted: both agree", t0, host(0, rw(0, 0), rw(0, 0)), facts(11, 600, 600).build(),
                        host(1, rw(1000, 0), rw(1000, 0)), 2, 2, 1, 2),
                new Case("the guest says less busy than its vCPUs ran (idle polling, or a lie): factor 1", t0,
                        host(0, rw(0, 0), rw(0, 0)), facts(11, 525, 525).build(), host(1, rw(1000, 0), rw(1000, 0)),
                        0.5, 2, 1, 2),
                new Case("busy in the guest, never run on the host: its figures are not real time", t0,
                        host(0, rw(0, 0), rw(0, 0)), facts(11, 600, 600).build(), host(1, rw(0, 900), rw(0, 900)),
                        2, 0, 0, 1.8),
                new Case("idle both ways: nothing to scale", t0, host(0, rw(7, 0), rw(7, 0)),
                        facts(11, 500, 500).build(), host(1, rw(7, 0), rw(7, 0)), 0, 0, 1, 0),
                new Case("steal and iowait are not busy", t0, host(0, rw(0, 0), rw(0, 0)),
                        withTicks(facts(11, 550, 550), 0, b -> b.setStealTicks(40).setIowaitTicks(40)).build(),
                        host(1, rw(500, 0), rw(500, 0)), 1, 1, 1, 1),
                new Case("a CPU onlined between the reports counts in neither", t0, host(0, rw(0, 0), rw(0, 0)),
                        facts(11, 600, 600, 90).build(), host(1, rw(500, 0), rw(500, 0)), 2, 1, 0.5, 1),
                new Case("a tick counter that went backwards (agent restart on a new boot): unknown", t0,
                        host(0, rw(0, 0), rw(0, 0)), facts(11, 600, 10).build(), host(1, rw(500, 0), rw(500, 0)),
                        -1, 1, -1, 1),
                new Case("another QEMU process since: host side unknown", t0, host(0, rw(0, 0), rw(0, 0)),
                        facts(11, 600, 600).build(), host(4300, 9000, 1, rw(500, 0), rw(500, 0)), 2, -1, -1, -1),
                new Case("a vCPU thread's counter went backwards (reused tid): host side unknown", t0,
                        host(0, rw(900, 0), rw(0, 0)), facts(11, 600, 600).build(), host(1, rw(10, 0), rw(500, 0)),
                        2, -1, -1, -1),
                new Case("no host sample", t0, null, facts(11, 600, 600).build(), host(1, rw(1, 0)), 2, -1, -1, -1),
                new Case("USER_HZ missing: guest side unknown", t0, host(0, rw(0, 0), rw(0, 0)),
                        facts(11, 600, 600).setUserHz(0).build(), host(1, rw(500, 0), rw(500, 0)), -1, 1, -1, 1),
                new Case("a guest inflating its ticks is at most every CPU fully busy", t0, host(0, rw(0, 0), rw(0, 0)),
                        facts(11, 1_000_000, 600).build(), host(1, rw(500, 0), rw(500, 0)), 2, 1, 0.5, 1),
                new Case("want: run plus run-queue wait, at most one CPU per vCPU thread", t0,
                        host(0, rw(0, 0), rw(0, 0)), facts(11, 600, 600).build(), host(1, rw(900, 900), rw(300, 300)),
                        2, 1.2, 0.6, 1.6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("intervals")
    void figures(Case c) {
        HostTrue.Interval iv = HostTrue.between(c.before(), c.hostBefore(), c.after(), c.hostAfter()).orElseThrow();
        assertEquals(c.busyCpus(), iv.guestBusyCpus(), EPS, "guest busy CPUs");
        assertEquals(c.runCpus(), iv.hostRunCpus(), EPS, "host run CPUs");
        assertEquals(c.factor(), iv.factor(), EPS, "factor");
        assertEquals(c.want(), iv.wantCpus(), EPS, "want");
    }

    @Test
    void aGuestClockThatDidNotGoForwardMakesNoInterval() {
        GuestFacts t0 = facts(10, 500).build();
        assertEquals(Optional.empty(), HostTrue.between(t0, host(0, rw(0, 0)), t0, host(1, rw(9, 0))), "zero interval");
        assertEquals(Optional.empty(), HostTrue.between(t0, host(0, rw(0, 0)), facts(3, 50).build(), host(1, rw(9, 0))),
                "rebooted guest");
    }

    @Test
    void aZeroHostIntervalIsUnknown() {
        assertTrue(HostTrue.hostDelta(host(1, rw(0, 0)), host(1, rw(5, 0))).isEmpty());
    }

    @Test
    void hostTrueIsGuestViewTimesFactorOrUnknown() {
        assertEquals(30, HostTrue.hostTrue(60, 0.5), EPS);
        assertEquals(-1, HostTrue.hostTrue(60, -1), EPS);
        assertEquals(-1, HostTrue.hostTrue(-1, 0.5), EPS);
    }

    static GuestFacts.Builder withTicks(GuestFacts.Builder f, int cpu,
                                        java.util.function.UnaryOperator<CpuTicks.Builder> change) {
        return f.setCpuTicks(cpu, change.apply(f.getCpuTicks(cpu).toBuilder()));
    }
}
