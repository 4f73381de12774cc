package io.vcpubal.lab.experiment;

import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The hand-made static placements of the {@code affinity} and {@code ideal} modes, worked out here on
 * purpose without the host plugin's planner, so {@code ideal} is an independent reference for it.
 *
 * @param online per guest, how many vCPUs stay online (vCPUs 0..online-1)
 * @param pins   per guest, the host CPUs each online vCPU is pinned to
 */
public record StaticPlacement(List<Integer> online, List<List<CpuSet>> pins) {
    public StaticPlacement {
        online = List.copyOf(online);
        pins = pins.stream().map(List::copyOf).toList();
    }

    /** {@code affinity}: every vCPU online, vCPU i of every guest pinned to the i-th host CPU (round robin). */
    public static StaticPlacement affinity(int guests, int vcpus, CpuSet hostCpus) {
        int[] cpus = hostCpus.toArray();
        List<Integer> online = new ArrayList<>();
        List<List<CpuSet>> pins = new ArrayList<>();
        for (int g = 0; g < guests; g++) {
            List<CpuSet> p = new ArrayList<>();
            for (int v = 0; v < vcpus; v++) {
                p.add(CpuSet.of(cpus[v % cpus.length]));
            }
            online.add(vcpus);
            pins.add(p);
        }
        return new StaticPlacement(online, pins);
    }

    /**
     * {@code ideal}: guest i's share is W_i * T / sum(W) host CPUs (at most its vCPU count). Each whole CPU of
     * share gets one online vCPU pinned to a CPU of its own; a fractional rest gets one more vCPU, pinned
     * to the pool of CPUs nobody owns, where it meets no sibling (each guest has at most one vCPU there).
     * Every guest keeps at least one vCPU.
     */
    public static StaticPlacement ideal(List<Integer> weights, int vcpus, CpuSet hostCpus) {
        int[] cpus = hostCpus.toArray();
        double sum = weights.stream().mapToInt(Integer::intValue).sum();
        int next = 0;
        List<Integer> dedicated = new ArrayList<>();
        List<Boolean> fractional = new ArrayList<>();
        for (int w : weights) {
            double share = Math.min(vcpus, w * cpus.length / sum);
            int whole = (int) Math.floor(share + 1e-9);
            whole = Math.min(whole, cpus.length - next);
            dedicated.add(whole);
            fractional.add(share - whole > 1e-9 && whole < vcpus);
            next += whole;
        }
        CpuSet pool = CpuSet.empty();
        for (int c = next; c < cpus.length; c++) {
            pool = pool.union(CpuSet.of(cpus[c]));
        }
        List<Integer> online = new ArrayList<>();
        List<List<CpuSet>> pins = new ArrayList<>();
        int cursor = 0;
        for (int g = 0; g < weights.size(); g++) {
            List<CpuSet> p = new ArrayList<>();
            for (int v = 0; v < dedicated.get(g); v++) {
                p.add(CpuSet.of(cpus[cursor++]));
            }
            if (fractional.get(g) || p.isEmpty()) {
                p.add(pool.isEmpty() ? hostCpus : pool);
            }
            online.add(p.size());
            pins.add(p);
        }
        return new StaticPlacement(online, pins);
    }

    /** One line per guest, e.g. {@code vm1: online 0-1, vCPU0->0 vCPU1->1}. */
    public List<String> describe(List<String> guestNames) {
        List<String> out = new ArrayList<>();
        for (int g = 0; g < online.size(); g++) {
            StringBuilder s = new StringBuilder(guestNames.get(g)).append(": online ")
                    .append(online.get(g) == 1 ? "0" : "0-" + (online.get(g) - 1)).append(',');
            for (int v = 0; v < pins.get(g).size(); v++) {
                s.append(" vCPU").append(v).append("->").append(pins.get(g).get(v));
            }
            out.add(s.toString());
        }
        return out;
    }
}
