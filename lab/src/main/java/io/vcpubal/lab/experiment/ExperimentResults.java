package io.vcpubal.lab.experiment;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Everything one experiment measured ({@code results.json}): the set-up and every single run of every
 * guest. Summaries are derived, never stored apart from the runs they come from.
 *
 * @param setup      what ran where
 * @param modeSetups per mode, what the guests looked like while it ran (online vCPUs, pins)
 * @param runs       one entry per guest per repeat per cell
 */
public record ExperimentResults(Setup setup, Map<String, List<String>> modeSetups, List<Run> runs) {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    public ExperimentResults {
        Objects.requireNonNull(setup, "setup");
        modeSetups = new LinkedHashMap<>(modeSetups);
        runs = List.copyOf(runs);
    }

    /**
     * @param startedAt   ISO-8601 instant
     * @param hostCpus    online host CPUs
     * @param qemuVersion first line of {@code qemu-system-x86_64 --version}
     * @param accelerator always TCG in this lab (see LAB-FACTS.md)
     * @param guestKernel the guests' kernel release
     * @param vcpus       vCPUs each guest booted with
     * @param weights     each guest's weight, in guest order
     * @param scale       work per run relative to the workloads' base size
     */
    public record Setup(String startedAt, int hostCpus, String hostCpuModel, String qemuVersion, String accelerator,
                        String guestKernel, List<String> guests, int vcpus, List<Integer> weights, int repeats,
                        double scale, List<String> workloads, List<String> modes) {
        public Setup {
            guests = List.copyOf(guests);
            weights = List.copyOf(weights);
            workloads = List.copyOf(workloads);
            modes = List.copyOf(modes);
        }
    }

    /**
     * One workload run in one guest.
     *
     * @param wallMs     execution time of the parallel phase, measured inside the guest
     * @param sysSeconds the workload process's kernel CPU time over that phase
     * @param hostSteal  share of the host's CPU time stolen from the host itself (it may be a VM) during the cell
     * @param othersSeconds CPU time the rest of the guest (agent, kernel threads) used over the phase; -1 unknown
     * @param p50Ms      {@code server}: median request latency; NaN for the other workloads
     * @param p99Ms      {@code server}: 99th percentile request latency; NaN for the other workloads
     */
    public record Run(String workload, String mode, int repeat, String guest, int threads, double wallMs,
                      double sysSeconds, double userSeconds, double hostSteal, double othersSeconds, double p50Ms,
                      double p99Ms) {
        /** A run without request latencies (every workload but {@code server}). */
        public Run(String workload, String mode, int repeat, String guest, int threads, double wallMs,
                   double sysSeconds, double userSeconds, double hostSteal, double othersSeconds) {
            this(workload, mode, repeat, guest, threads, wallMs, sysSeconds, userSeconds, hostSteal, othersSeconds,
                    Double.NaN, Double.NaN);
        }
    }

    /**
     * One workload in one mode: statistics over the repeats of the guests' mean, raw and normalised to
     * the {@code default} mode's median of the same workload.
     *
     * @param othersMean mean over guests and repeats of {@link Run#othersSeconds()}; NaN when never measured
     */
    public record Cell(String workload, String mode, Stats execMs, Stats sysSeconds, Stats execNormalised,
                       Stats sysNormalised, double threadsMean, double hostStealMean, double othersMean) {}

    /** This result with one more run (results grow while the experiment runs). */
    public ExperimentResults with(Run run) {
        List<Run> all = new ArrayList<>(runs);
        all.add(run);
        return new ExperimentResults(setup, modeSetups, all);
    }

    public ExperimentResults withModeSetup(String mode, List<String> lines) {
        Map<String, List<String>> m = new LinkedHashMap<>(modeSetups);
        m.put(mode, List.copyOf(lines));
        return new ExperimentResults(setup, m, runs);
    }

    /** The summary of one cell, or null if it has no runs (yet). */
    public Cell cell(String workload, String mode) {
        List<Double> exec = perRepeatMean(workload, mode, Run::wallMs);
        if (exec.isEmpty()) {
            return null;
        }
        List<Double> sys = perRepeatMean(workload, mode, Run::sysSeconds);
        Stats execStats = Stats.of(exec);
        Stats sysStats = Stats.of(sys);
        List<Double> baseExec = perRepeatMean(workload, Mode.DEFAULT.id(), Run::wallMs);
        List<Double> baseSys = perRepeatMean(workload, Mode.DEFAULT.id(), Run::sysSeconds);
        Stats execNorm = baseExec.isEmpty() ? null : execStats.normalisedTo(Stats.of(baseExec).median());
        Stats sysNorm = baseSys.isEmpty() ? null : sysStats.normalisedTo(Stats.of(baseSys).median());
        double threads = runs.stream().filter(r -> r.workload().equals(workload) && r.mode().equals(mode))
                .mapToInt(Run::threads).average().orElse(0);
        double steal = runs.stream().filter(r -> r.workload().equals(workload) && r.mode().equals(mode))
                .mapToDouble(Run::hostSteal).average().orElse(0);
        double others = runs.stream().filter(r -> r.workload().equals(workload) && r.mode().equals(mode))
                .mapToDouble(Run::othersSeconds).filter(o -> o >= 0).average().orElse(Double.NaN);
        return new Cell(workload, mode, execStats, sysStats, execNorm, sysNorm, threads, steal, others);
    }

    /** Every cell that has runs, workload-major in set-up order. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (String w : setup.workloads()) {
            for (String m : setup.modes()) {
                Cell c = cell(w, m);
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /**
     * Issue 5's goal figure: {@code vcpubal}'s speedup over {@code default} as a share of {@code ideal}'s, from
     * medians. As (default/vcpubal) / (default/ideal) it reduces to ideal/vcpubal, so it does not depend on
     * the noisy baseline: 1 means the plugin costs nothing of its own. NaN when a mode is missing.
     */
    public double vcpubalShareOfIdealSpeedup(String workload) {
        return speedupOverDefault(workload, Mode.VCPUBAL.id()) / speedupOverDefault(workload, Mode.IDEAL.id());
    }

    /**
     * The stricter reading: how much of {@code ideal}'s gain over {@code default} {@code vcpubal} keeps,
     * (default/vcpubal - 1) / (default/ideal - 1), from medians; NaN when a mode is missing or ideal gains
     * nothing (then any noise makes the figure meaningless).
     */
    public double vcpubalShareOfIdealGain(String workload) {
        double v = speedupOverDefault(workload, Mode.VCPUBAL.id());
        double i = speedupOverDefault(workload, Mode.IDEAL.id());
        return i - 1 < 0.05 ? Double.NaN : (v - 1) / (i - 1);
    }

    /**
     * The goal figure over every workload at once: the geometric mean of {@link #vcpubalShareOfIdealSpeedup}
     * (the usual mean of normalised benchmark figures), so single workloads' noise partly cancels; NaN when
     * no workload has both modes.
     */
    public double vcpubalShareOfIdealSpeedupAllWorkloads() {
        double logSum = 0;
        int n = 0;
        for (String w : setup.workloads()) {
            double share = vcpubalShareOfIdealSpeedup(w);
            if (!Double.isNaN(share) && share > 0) {
                logSum += Math.log(share);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    /**
     * The goal figure repeat by repeat: ideal/vcpubal of the guests' mean execution time in each repeat
     * that ran both (they run next to each other in every repeat, so the host's drift largely cancels).
     * Its spread shows how far a single comparison can be trusted on this host; null without such a repeat.
     */
    public Stats vcpubalShareOfIdealSpeedupPerRepeat(String workload) {
        Map<Integer, Double> ideal = meansByRepeat(workload, Mode.IDEAL.id(), Run::wallMs);
        Map<Integer, Double> vcpubal = meansByRepeat(workload, Mode.VCPUBAL.id(), Run::wallMs);
        List<Double> ratios = new ArrayList<>();
        ideal.forEach((rep, i) -> {
            Double v = vcpubal.get(rep);
            if (v != null && v > 0) {
                ratios.add(i / v);
            }
        });
        return ratios.isEmpty() ? null : Stats.of(ratios);
    }

    /**
     * The host's own noise for a workload: the spread of {@code ideal}'s repeats around their median
     * ((max - min) / median), the same fixed work in the same configuration; NaN with fewer than two repeats.
     */
    public double idealSpread(String workload) {
        List<Double> ideal = perRepeatMean(workload, Mode.IDEAL.id(), Run::wallMs);
        if (ideal.size() < 2) {
            return Double.NaN;
        }
        Stats s = Stats.of(ideal);
        return (s.max() - s.min()) / s.median();
    }

    /** {@code default}'s median over {@code mode}'s median: how many times faster the mode is. */
    public double speedupOverDefault(String workload, String mode) {
        Cell m = cell(workload, mode);
        Cell d = cell(workload, Mode.DEFAULT.id());
        return m == null || d == null ? Double.NaN : d.execMs().median() / m.execMs().median();
    }

    /** The median over repeats of the guests' mean of {@code f}, NaN when the cell has no finite value. */
    public double medianOf(String workload, String mode, ToDoubleFunction<Run> f) {
        List<Double> values = perRepeatMean(workload, mode, f);
        values.removeIf(v -> !Double.isFinite(v));
        return values.isEmpty() ? Double.NaN : Stats.of(values).median();
    }

    /** mode's median time over default's: at most 1.00 is issue 13's goal ("never slower than default"). */
    public double timeRatioToDefault(String workload, String mode) {
        return 1 / speedupOverDefault(workload, mode);
    }

    private List<Double> perRepeatMean(String workload, String mode, ToDoubleFunction<Run> f) {
        return new ArrayList<>(meansByRepeat(workload, mode, f).values());
    }

    /** Per repeat, the mean over the guests of {@code f} in one cell. */
    private Map<Integer, Double> meansByRepeat(String workload, String mode, ToDoubleFunction<Run> f) {
        Map<Integer, List<Run>> byRepeat = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.workload().equals(workload) && r.mode().equals(mode)) {
                byRepeat.computeIfAbsent(r.repeat(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<Integer, Double> out = new LinkedHashMap<>();
        byRepeat.forEach((rep, rs) -> out.put(rep, rs.stream().mapToDouble(f).average().orElseThrow()));
        return out;
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static ExperimentResults fromJson(String json) {
        return GSON.fromJson(json, ExperimentResults.class);
    }
}
