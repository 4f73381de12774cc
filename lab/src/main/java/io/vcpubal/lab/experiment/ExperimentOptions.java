package io.vcpubal.lab.experiment;

import java.nio.file.Path;
import java.util.List;

/**
 * What to run.
 *
 * @param resultsRoot a {@code <timestamp>/} directory is created in it for this run's files
 * @param scale       work per run relative to each workload's base size (1 = the full experiment)
 */
public record ExperimentOptions(int guests, int vcpus, List<Integer> weights, int repeats, List<Workload> workloads,
                                List<Mode> modes, double scale, Path resultsRoot) {
    public ExperimentOptions {
        if (guests < 1) {
            throw new IllegalArgumentException("--guests must be at least 1, got " + guests);
        }
        if (weights.size() != guests) {
            throw new IllegalArgumentException("--weights has " + weights.size() + " values for " + guests + " guests");
        }
        for (int w : weights) {
            if (w < 1) {
                throw new IllegalArgumentException("weights must be positive, got " + weights);
            }
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("no workload to run");
        }
        if (!modes.contains(Mode.DEFAULT)) {
            throw new IllegalArgumentException("the default mode is the baseline and must run");
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("--scale must be positive, got " + scale);
        }
        weights = List.copyOf(weights);
        workloads = List.copyOf(workloads);
        modes = List.copyOf(modes);
    }
}
