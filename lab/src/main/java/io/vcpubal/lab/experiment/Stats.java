package io.vcpubal.lab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and range of a few repeated measurements. */
public record Stats(double median, double min, double max, int n) {
    /** The statistics of {@code values}; throws for an empty list (a cell without a run is a bug). */
    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stats(median, sorted.get(0), sorted.get(n - 1), n);
    }

    /**
     * Every figure divided by {@code baseline} (the baseline mode's median), so the baseline's median
     * becomes 1.0 and its range shows its own spread. A zero baseline gives NaN rather than infinity.
     */
    public Stats normalisedTo(double baseline) {
        if (baseline == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, n);
        }
        return new Stats(median / baseline, min / baseline, max / baseline, n);
    }
}
