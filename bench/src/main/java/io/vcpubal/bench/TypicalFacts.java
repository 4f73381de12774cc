package io.vcpubal.bench;

import io.vcpubal.protocol.v1.Contention;
import io.vcpubal.protocol.v1.CpuPressure;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.LeaseState;
import io.vcpubal.protocol.v1.ProcessCpu;

/**
 * A GuestFacts report as a 2-vCPU guest sends it every period: ticks of 2 online CPUs, PSI, the 16 busiest
 * processes, contention signals and an active lease. Values are realistic magnitudes (a guest up for about
 * a day at USER_HZ 100), so varint sizes match what goes over the wire.
 */
public final class TypicalFacts {

    /** Process names of a small application server guest. */
    private static final String[] NAMES = {
        "java", "postgres", "postgres", "nginx", "nginx", "vcpubal-agent", "systemd", "systemd-journal",
        "kworker/0:1-events", "kworker/1:2-mm_percpu_wq", "ksoftirqd/0", "ksoftirqd/1", "rcu_preempt",
        "sshd", "cron", "rsyslogd"};

    private TypicalFacts() {
    }

    /** The envelope; same content on every call. */
    public static Envelope envelope() {
        GuestFacts.Builder facts = GuestFacts.newBuilder()
                .setMonotonicNs(86_412_345_678_901L)
                .setRealtimeMs(1_795_000_000_123L)
                .setPeriodMs(1_000)
                .setOnlineCpus("0-1")
                .setUserHz(100)
                .setCpuPressure(CpuPressure.newBuilder()
                        .setSomeAvg10(12.5).setSomeAvg60(8.25).setSomeTotalUs(1_234_567_890L)
                        .setFullAvg10(1.75).setFullAvg60(0.5).setFullTotalUs(98_765_432L))
                .setContention(Contention.newBuilder()
                        .setStealShare(0.18).setSystemShare(0.22).setRunqueueWaitMsPerS(41.5)
                        .setPsiSomeAvg10(12.5).setHasLockStat(false)
                        .setAppBlockedCount(1_523).setAppBlockedMs(8_402))
                .setLease(LeaseState.newBuilder().setActive(true).setRemainingMs(11_250));
        for (int cpu = 0; cpu < 2; cpu++) {
            facts.addCpuTicks(CpuTicks.newBuilder()
                    .setCpu(cpu)
                    .setUserTicks(4_123_456L + cpu * 1_111).setNiceTicks(1_234 + cpu)
                    .setSystemTicks(1_987_654L + cpu * 777).setIdleTicks(2_345_678L + cpu * 999)
                    .setIowaitTicks(12_345 + cpu).setIrqTicks(0).setSoftirqTicks(23_456 + cpu)
                    .setStealTicks(345_678L + cpu * 55).setGuestTicks(0).setGuestNiceTicks(0));
        }
        for (int i = 0; i < NAMES.length; i++) {
            facts.addProcesses(ProcessCpu.newBuilder()
                    .setPid(1_000 + i * 37)
                    .setName(NAMES[i])
                    .setUserMs(3_600_000L / (i + 1)).setSystemMs(900_000L / (i + 1))
                    .setCpuMsLastPeriod(i < 4 ? 950 / (i + 1) : i)
                    .setOnCpuNs(4_500_000_000_000L / (i + 1)).setRunqueueWaitNs(120_000_000_000L / (i + 1))
                    .setVoluntarySwitches(1_234_567L / (i + 1)).setInvoluntarySwitches(89_012L / (i + 1))
                    .setImportance(i < 3 ? 2 : 1));
        }
        return Envelope.newBuilder().setSeq(123_456).setFacts(facts).build();
    }
}
