package io.vcpubal.host.accounting;

import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.protocol.v1.GuestFacts;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What the daemon holds for host-side accounting: on each guest report it samples that VM's vCPU threads
 * (a few small /proc reads, no hypervisor call) and feeds the {@link ProcessTable}; {@code top} reads it.
 */
public final class HostAccounting {
    private final VcpuSampler sampler;
    private final ProcessTable table;
    private final LongSupplier clock;

    /** @param root the filesystem root {@code /proc} is under: {@code Path.of("/")} on a host */
    public HostAccounting(Path root) {
        this(new VcpuSampler(new SchedstatReader(root)), new ProcessTable(), System::nanoTime);
    }

    public HostAccounting(VcpuSampler sampler, ProcessTable table, LongSupplier clock) {
        this.sampler = sampler;
        this.table = table;
        this.clock = clock;
    }

    /** A report of {@code vm} arrived; {@code process} is its last observed QEMU process (null = none). */
    public void offer(String vm, GuestFacts facts, VmProcess process) {
        long now = clock.getAsLong();
        table.offer(vm, facts, sampler.sample(process, now).orElse(null), now);
    }

    public void forget(String vm) {
        table.forget(vm);
    }

    /** The busiest rows of all VMs now, at most {@code maxRows} processes and as many classes. */
    public TopView top(int maxRows) {
        return table.top(maxRows, clock.getAsLong());
    }

    /** {@code vm}'s last report interval: factor, host run and want (for a planner), empty when unknown. */
    public Optional<HostTrue.Interval> latest(String vm) {
        return table.latest(vm);
    }
}
