package io.vcpubal.host.accounting;

import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.ProcessCpu;
import java.util.Map;

/** Guest reports and host samples written the way the tests read: seconds, ticks at USER_HZ 100, ms. */
final class Reports {
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;

    private Reports() {}

    /**
     * A report at guest second {@code atS}: CPU i has {@code busyTicks[i]} user ticks and as many idle ticks as
     * make up the rest of {@code atS} seconds.
     */
    static GuestFacts.Builder facts(double atS, long... busyTicks) {
        GuestFacts.Builder f = GuestFacts.newBuilder().setMonotonicNs((long) (atS * S)).setUserHz(100).setPeriodMs(1000)
                .setOnlineCpus(busyTicks.length == 1 ? "0" : "0-" + (busyTicks.length - 1));
        for (int i = 0; i < busyTicks.length; i++) {
            f.addCpuTicks(CpuTicks.newBuilder().setCpu(i).setUserTicks(busyTicks[i])
                    .setIdleTicks(Math.max(0, (long) (atS * 100) - busyTicks[i])));
        }
        return f;
    }

    static ProcessCpu process(int pid, String name, String cls, long onCpuMs, long lastPeriodMs) {
        return ProcessCpu.newBuilder().setPid(pid).setName(name).setClassName(cls).setOnCpuNs(onCpuMs * MS)
                .setCpuMsLastPeriod(lastPeriodMs).build();
    }

    static ClassState cls(String name, long usageMs) {
        return ClassState.newBuilder().setName(name).setUsageUs(usageMs * 1000).build();
    }

    /** QEMU 4242 (start 777) at host second {@code atS}, each vCPU thread's run and wait in ms. */
    static HostVcpuSample host(double atS, long[]... runWaitMs) {
        return host(4242, 777, atS, runWaitMs);
    }

    static HostVcpuSample host(int pid, long startTicks, double atS, long[]... runWaitMs) {
        Map<Integer, TaskSchedstat> threads = new java.util.HashMap<>();
        for (int i = 0; i < runWaitMs.length; i++) {
            threads.put(4250 + i, new TaskSchedstat(runWaitMs[i][0] * MS, runWaitMs[i][1] * MS, 1));
        }
        return new HostVcpuSample(pid, startTicks, threads, (long) (atS * S));
    }

    static long[] rw(long runMs, long waitMs) {
        return new long[] {runMs, waitMs};
    }
}
