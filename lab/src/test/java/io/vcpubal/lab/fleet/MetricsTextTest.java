package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTextTest {
    private static final String BEFORE = """
            # HELP vcpubal_reconcile_round_duration_seconds Time of one reconcile round
            # TYPE vcpubal_reconcile_round_duration_seconds histogram
            vcpubal_reconcile_round_duration_seconds_bucket{backend="qmp",le="0.001"} 0
            vcpubal_reconcile_round_duration_seconds_count{backend="qmp"} 10
            vcpubal_reconcile_round_duration_seconds_sum{backend="qmp"} 0.5
            vcpubal_replans_total{backend="qmp"} 3.0
            vcpubal_replans_total_extra 99
            vcpubal_link_frames_total{vm="a b}",backend="qmp"} 7 1700000000000
            vcpubal_link_frames_total{vm="c",backend="qmp"} 5
            """;

    @Test
    void sumsEverySampleOfOneSeriesOnly() {
        MetricsText m = new MetricsText(BEFORE);
        assertEquals(3.0, m.sum("vcpubal_replans_total"), "not the series that merely starts with the name");
        assertEquals(12.0, m.sum("vcpubal_link_frames_total"), "labels with odd values, and a timestamp, are skipped over");
        assertEquals(0.0, m.sum("vcpubal_absent"));
    }

    @Test
    void meanOfAHistogramBetweenTwoScrapes() {
        MetricsText after = new MetricsText(BEFORE.replace("_count{backend=\"qmp\"} 10", "_count{backend=\"qmp\"} 14")
                .replace("_sum{backend=\"qmp\"} 0.5", "_sum{backend=\"qmp\"} 0.7"));
        MetricsText before = new MetricsText(BEFORE);
        assertEquals(0.05, MetricsText.meanBetween(before, after, "vcpubal_reconcile_round_duration_seconds"), 1e-9);
        assertTrue(Double.isNaN(MetricsText.meanBetween(before, before, "vcpubal_reconcile_round_duration_seconds")));
    }
}
