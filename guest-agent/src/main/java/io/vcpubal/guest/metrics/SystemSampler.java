package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/** Reads one {@link SystemSample} from {@code <root>/proc}. */
public final class SystemSampler {

    private final ProcStat stat;
    private final ProcPressureCpu pressure;
    private final ProcSchedstat schedstat;
    private final ProcLockStat lockStat;
    private final LongSupplier nanoTime;

    public SystemSampler(Path root) {
        this(root, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock; a fake in tests */
    public SystemSampler(Path root, LongSupplier nanoTime) {
        this.stat = new ProcStat(root);
        this.pressure = new ProcPressureCpu(root);
        this.schedstat = new ProcSchedstat(root);
        this.lockStat = new ProcLockStat(root);
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    public SystemSample sample() {
        long now = nanoTime.getAsLong();
        return new SystemSample(now, stat.read(), pressure.read(), schedstat.read(), lockStat.read());
    }
}
