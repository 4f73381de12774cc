package io.vcpubal.host.demand;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.CpuTicks;
import io.vcpubal.protocol.v1.GuestFacts;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: the {@link LoadSample} between two facts reports of one guest. The guest is untrusted, so nothing it
 * sends can make this fail or exceed its bounds: counters that go backwards count as no time, fractions are
 * clamped, and the worst a lying guest reaches is "fully busy", which a truly busy guest reaches too.
 */
public final class LoadSamples {

    private LoadSamples() {
    }

    /** Empty when the two reports do not make a sample (same or older clock, no usable CPU ticked in both). */
    public static Optional<LoadSample> between(GuestFacts before, GuestFacts after) {
        long elapsedNs = after.getMonotonicNs() - before.getMonotonicNs();
        if (elapsedNs <= 0) {
            return Optional.empty();
        }
        Optional<CpuSet> online = CpuSet.tryParse(after.getOnlineCpus());
        Optional<CpuSet> fenced = after.getFencedCpus().isEmpty() ? Optional.of(CpuSet.empty())
                : CpuSet.tryParse(after.getFencedCpus());
        if (online.isEmpty() || fenced.isEmpty()) {
            return Optional.empty();
        }
        CpuSet usable = online.get().minus(fenced.get());
        if (usable.isEmpty()) {
            return Optional.empty();
        }
        Map<Integer, CpuTicks> earlier = new HashMap<>();
        for (CpuTicks t : before.getCpuTicksList()) {
            earlier.put(t.getCpu(), t);
        }
        double busy = 0;
        int sampled = 0;
        for (CpuTicks now : after.getCpuTicksList()) {
            CpuTicks then = earlier.get(now.getCpu());
            if (then == null || !usable.contains(now.getCpu())) {
                continue;
            }
            long b = delta(busy(now), busy(then));
            long total = b + delta(idle(now), idle(then));
            if (total > 0) {
                busy += (double) b / total;
                sampled++;
            }
        }
        if (sampled == 0) {
            return Optional.empty();
        }
        // CPUs that did not tick in both reports (just onlined) count at the sampled ones' average.
        double busyCpus = Math.min(usable.size(), busy * usable.size() / sampled);
        double stall = 0;
        if (before.hasCpuPressure() && after.hasCpuPressure()) {
            double stalledUs = delta(after.getCpuPressure().getSomeTotalUs(), before.getCpuPressure().getSomeTotalUs());
            stall = Math.min(1, stalledUs * 1000 / elapsedNs);
        }
        return Optional.of(new LoadSample(busyCpus, usable.size(), stall));
    }

    /** Ticks the CPU ran something or wanted to (guest and guest_nice are already inside user and nice). */
    private static long busy(CpuTicks t) {
        return t.getUserTicks() + t.getNiceTicks() + t.getSystemTicks() + t.getIrqTicks() + t.getSoftirqTicks()
                + t.getStealTicks();
    }

    private static long idle(CpuTicks t) {
        return t.getIdleTicks() + t.getIowaitTicks();
    }

    /** A counter's growth; one that went backwards (or overflowed the sum) grew by nothing. */
    private static long delta(long now, long then) {
        long d = now - then;
        return d > 0 ? d : 0;
    }
}
