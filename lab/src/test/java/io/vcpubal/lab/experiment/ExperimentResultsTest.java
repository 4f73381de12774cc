package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.LabException;
import org.junit.jupiter.api.Test;

class ExperimentResultsTest {
    @Test
    void jsonRoundTripKeepsEverything() {
        ExperimentResults r = Fixture.results();
        ExperimentResults back = ExperimentResults.fromJson(r.toJson());
        assertEquals(r, back);
        assertEquals(r.cells(), back.cells());
    }

    @Test
    void cellsAverageTheGuestsPerRepeatAndNormaliseToDefault() {
        ExperimentResults r = Fixture.results();
        ExperimentResults.Cell d = r.cell("lock", "default");
        // repeats: 3600+3700, 4000+4100, 4400+4500 -> means 3650, 4050, 4450
        assertEquals(4050, d.execMs().median(), 1e-9);
        assertEquals(3650, d.execMs().min(), 1e-9);
        assertEquals(4450, d.execMs().max(), 1e-9);
        assertEquals(1.0, d.execNormalised().median(), 1e-12);
        ExperimentResults.Cell v = r.cell("lock", "vcpubal");
        assertEquals((2000 + 50.0) / 4050, v.execNormalised().median(), 1e-12);
        assertEquals(0.5, v.sysNormalised().median(), 1e-12);
        assertEquals(1.0, v.threadsMean(), 1e-12);
        assertEquals(0.02, v.hostStealMean(), 1e-12);
        assertNull(r.cell("lock", "nosuchmode"));
        assertEquals(8, r.cells().size());
    }

    @Test
    void goalFiguresComeFromMedians() {
        ExperimentResults r = Fixture.results();
        double sv = 4050 / 2050.0;
        double si = 4050 / (4000 * 0.48 + 50);
        assertEquals(sv, r.speedupOverDefault("lock", "vcpubal"), 1e-12);
        assertEquals((sv - 1) / (si - 1), r.vcpubalShareOfIdealSpeedup("lock"), 1e-12);
        assertTrue(Double.isNaN(r.vcpubalShareOfIdealSpeedup("histogram")));
    }

    @Test
    void parsesTheWorkloadsResultLineAndRejectsOutputWithout() {
        ExperimentResults.Run run = Experiment.parseResult("noise\nvcpubal-workload name=lock threads=2 wall_ms=812.4"
                + " sys_s=0.31 user_s=1.20 check=123\n", "lock", "default", 2, "vm1", 0.02);
        assertEquals(new ExperimentResults.Run("lock", "default", 2, "vm1", 2, 812.4, 0.31, 1.20, 0.02), run);
        assertThrows(LabException.class, () -> Experiment.parseResult("Exception in thread main", "lock", "default", 1,
                "vm1", 0));
        assertThrows(LabException.class, () -> Experiment.parseResult("vcpubal-workload name=lock threads=x", "lock",
                "default", 1, "vm1", 0));
    }
}
