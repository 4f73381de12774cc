package io.vcpubal.lab.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's own CPU time and the part of it stolen by the hypervisor under the host, from the {@code cpu}
 * line of {@code /proc/stat}. The lab host is often itself a VM: steal there slows every mode alike and
 * explains runs that are slow for no reason inside the lab.
 *
 * @param stealTicks the steal column
 * @param totalTicks all columns up to and including steal (user nice system idle iowait irq softirq steal)
 */
record HostSteal(long stealTicks, long totalTicks) {
    static final HostSteal UNKNOWN = new HostSteal(0, 0);

    /** Reads {@code root/proc/stat}; {@link #UNKNOWN} when unreadable. */
    static HostSteal read(Path root) {
        try {
            return parse(Files.readAllLines(root.resolve("proc/stat")));
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** The aggregate {@code cpu} line; {@link #UNKNOWN} when missing or malformed. */
    static HostSteal parse(List<String> lines) {
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (!f[0].equals("cpu")) {
                continue;
            }
            if (f.length < 9) {
                return UNKNOWN;
            }
            try {
                long total = 0;
                for (int i = 1; i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                return new HostSteal(Long.parseLong(f[8]), total);
            } catch (NumberFormatException e) {
                return UNKNOWN;
            }
        }
        return UNKNOWN;
    }

    /** The share of host CPU time stolen between {@code earlier} and this sample, 0 when unknown. */
    double stolenSince(HostSteal earlier) {
        long total = totalTicks - earlier.totalTicks;
        return total <= 0 ? 0 : (stealTicks - earlier.stealTicks) / (double) total;
    }
}
