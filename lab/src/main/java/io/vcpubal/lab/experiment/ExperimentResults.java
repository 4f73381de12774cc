package io.vcpubal.lab.experiment;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
     */
    public record Run(String workload, String mode, int repeat, String guest, int threads, double wallMs,
                      double sysSeconds, double userSeconds, double hostSteal) {}

    /**
     * One workload in one mode: statistics over the repeats of the guests' mean, raw and normalised to
     * the {@code default} mode's median of the same workload.
     */
    public record Cell(String workload, String mode, Stats execMs, Stats sysSeconds, Stats execNormalised,
                       Stats sysNormalised, double threadsMean, double hostStealMean) {}

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
        return new Cell(workload, mode, execStats, sysStats, execNorm, sysNorm, threads, steal);
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
     * How much of {@code ideal}'s speedup over {@code default} {@code vcpubal} reaches on a workload:
     * (default/vcpubal - 1) / (default/ideal - 1), from medians; NaN when a mode is missing or ideal is no
     * faster than default.
     */
    public double vcpubalShareOfIdealSpeedup(String workload) {
        Cell v = cell(workload, Mode.VCPUBAL.id());
        Cell i = cell(workload, Mode.IDEAL.id());
        Cell d = cell(workload, Mode.DEFAULT.id());
        if (v == null || i == null || d == null) {
            return Double.NaN;
        }
        double idealGain = d.execMs().median() / i.execMs().median() - 1;
        if (idealGain <= 0) {
            return Double.NaN;
        }
        return (d.execMs().median() / v.execMs().median() - 1) / idealGain;
    }

    /** {@code default}'s median over {@code mode}'s median: how many times faster the mode is. */
    public double speedupOverDefault(String workload, String mode) {
        Cell m = cell(workload, mode);
        Cell d = cell(workload, Mode.DEFAULT.id());
        return m == null || d == null ? Double.NaN : d.execMs().median() / m.execMs().median();
    }

    private List<Double> perRepeatMean(String workload, String mode, java.util.function.ToDoubleFunction<Run> f) {
        Map<Integer, List<Run>> byRepeat = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.workload().equals(workload) && r.mode().equals(mode)) {
                byRepeat.computeIfAbsent(r.repeat(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Double> out = new ArrayList<>();
        for (List<Run> rs : byRepeat.values()) {
            out.add(rs.stream().mapToDouble(f).average().orElseThrow());
        }
        return out;
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static ExperimentResults fromJson(String json) {
        return GSON.fromJson(json, ExperimentResults.class);
    }
}
