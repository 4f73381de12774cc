package io.vcpubal.lab.experiment.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time the whole guest spent busy (user, nice, system, irq, softirq; not idle, iowait or steal), from the
 * aggregate {@code cpu} line of {@code /proc/stat}, in clock ticks. Subtracting the workload's own times
 * leaves what everything else in the guest used during the run: the agent, kernel threads, the shell.
 */
public record GuestBusy(long ticks) {
    static final GuestBusy UNKNOWN = new GuestBusy(-1);

    /** The guest's busy ticks under {@code procRoot} (normally {@code /proc}); {@link #UNKNOWN} when unreadable. */
    public static GuestBusy read(Path procRoot) {
        try {
            return parse(Files.readString(procRoot.resolve("stat")));
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** Parses the first line of {@code /proc/stat}; anything else gives {@link #UNKNOWN}. */
    public static GuestBusy parse(String procStat) {
        int eol = procStat.indexOf('\n');
        String[] f = (eol < 0 ? procStat : procStat.substring(0, eol)).trim().split("\\s+");
        if (f.length < 8 || !f[0].equals("cpu")) {
            return UNKNOWN;
        }
        try {
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) { // user nice system irq softirq
                busy += Long.parseLong(f[i]);
            }
            return new GuestBusy(busy);
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    public boolean known() {
        return ticks >= 0;
    }

    /**
     * Seconds the rest of the guest was busy between {@code earlier} and this reading, given the workload
     * process's own times over the same span; -1 when either reading is unknown.
     */
    public double othersSecondsSince(GuestBusy earlier, ProcessTimes own) {
        if (!known() || !earlier.known()) {
            return -1;
        }
        long others = ticks - earlier.ticks - own.userTicks() - own.systemTicks();
        // the two readings are not atomic with the process's own: a tick of jitter must not go negative
        return Math.max(0, others) / (double) ProcessTimes.TICKS_PER_SECOND;
    }
}
