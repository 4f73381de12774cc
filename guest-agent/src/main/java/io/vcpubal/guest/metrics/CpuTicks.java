package io.vcpubal.guest.metrics;

/**
 * One CPU line of {@code /proc/stat}, in USER_HZ ticks (1/100 s on Linux).
 *
 * <p>{@code guest} and {@code guestNice} are already included in {@code user} and {@code nice} by the
 * kernel, so {@link #total()} leaves them out.
 */
public record CpuTicks(long user, long nice, long system, long idle, long iowait, long irq, long softirq,
                       long steal, long guest, long guestNice) {

    public static final CpuTicks ZERO = new CpuTicks(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** All time accounted to this CPU (or CPUs), steal included. */
    public long total() {
        return user + nice + system + idle + iowait + irq + softirq + steal;
    }

    /** Time the guest ran something: user, nice, system, irq and softirq. */
    public long busy() {
        return user + nice + system + irq + softirq;
    }

    /** Kernel time: system, irq and softirq. */
    public long kernel() {
        return system + irq + softirq;
    }

    /** Field-wise difference, clamped at 0 so a counter reset never yields negative time. */
    public CpuTicks minus(CpuTicks earlier) {
        return new CpuTicks(
                d(user, earlier.user), d(nice, earlier.nice), d(system, earlier.system), d(idle, earlier.idle),
                d(iowait, earlier.iowait), d(irq, earlier.irq), d(softirq, earlier.softirq), d(steal, earlier.steal),
                d(guest, earlier.guest), d(guestNice, earlier.guestNice));
    }

    private static long d(long later, long earlier) {
        return Math.max(0, later - earlier);
    }
}
