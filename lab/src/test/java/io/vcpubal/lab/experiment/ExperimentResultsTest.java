package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.LabException;
import java.util.List;
import java.util.Map;
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
        assertEquals(0.02, v.othersMean(), 1e-12);
        assertNull(r.cell("lock", "nosuchmode"));
        assertEquals(8, r.cells().size());
    }

    @Test
    void goalFiguresComeFromMedians() {
        ExperimentResults r = Fixture.results();
        double sv = 4050 / 2050.0;
        double si = 4050 / (4000 * 0.48 + 50);
        assertEquals(sv, r.speedupOverDefault("lock", "vcpubal"), 1e-12);
        assertEquals(sv / si, r.vcpubalShareOfIdealSpeedup("lock"), 1e-12);
        assertEquals((sv - 1) / (si - 1), r.vcpubalShareOfIdealGain("lock"), 1e-12);
        assertTrue(Double.isNaN(r.vcpubalShareOfIdealSpeedup("histogram")));
        assertTrue(Double.isNaN(r.vcpubalShareOfIdealGain("histogram")));
    }

    @Test
    void parsesTheWorkloadsResultLineAndRejectsOutputWithout() {
        ExperimentResults.Run run = Experiment.parseResult("noise\nvcpubal-workload name=lock threads=2 wall_ms=812.4"
                + " sys_s=0.31 user_s=1.20 others_s=0.07 check=123\n", "lock", "default", 2, "vm1", 0.02);
        assertEquals(new ExperimentResults.Run("lock", "default", 2, "vm1", 2, 812.4, 0.31, 1.20, 0.02, 0.07), run);
        // a result line from before others_s was measured reads as unknown
        assertEquals(-1.0, Experiment.parseResult("vcpubal-workload name=lock threads=2 wall_ms=1 sys_s=0 user_s=0",
                "lock", "default", 1, "vm1", 0).othersSeconds(), 1e-12);
        assertThrows(LabException.class, () -> Experiment.parseResult("Exception in thread main", "lock", "default", 1,
                "vm1", 0));
        assertThrows(LabException.class, () -> Experiment.parseResult("vcpubal-workload name=lock threads=x", "lock",
                "default", 1, "vm1", 0));
    }

    @Test
    void theWorkConservingGoalIsVcpubalsTimeOverDefaultsAndLockLikeWorkloadsNeedTwiceTheSpeed() {
        List<String> lines = Report.workConservingVerdicts(Fixture.results());
        assertEquals(2, lines.size(), lines.toString());
        // lock: vcpubal 2050 / default 4050 = 0.51: not slower, but not 2x faster either
        assertTrue(lines.get(0).startsWith("lock: time vs default: vcpubal 0.51x, vcpubal-static n/a"), lines.get(0));
        assertTrue(lines.get(0).endsWith("(goal: vcpubal <= 1.00x and >= 2x faster: NOT met)"), lines.get(0));
        assertTrue(lines.get(1).endsWith("(goal: vcpubal <= 1.00x: met)"), lines.get(1));
    }

    @Test
    void serverRunsCarryTheirLatencies() {
        ExperimentResults.Run run = Experiment.parseResult("vcpubal-workload name=server threads=2 wall_ms=9000.0"
                + " sys_s=0.1 user_s=5.0 others_s=0.2 check=600 p50_ms=15.2 p99_ms=48.0 rps=66.7", "server", "default",
                1, "vm1", 0);
        assertEquals(15.2, run.p50Ms(), 1e-12);
        assertEquals(48.0, run.p99Ms(), 1e-12);
        assertTrue(Double.isNaN(Experiment.parseResult("vcpubal-workload name=lock threads=2 wall_ms=1 sys_s=0"
                + " user_s=0 check=1", "lock", "default", 1, "vm1", 0).p99Ms()));
    }

    @Test
    void theAllWorkloadsFigureIsTheGeometricMeanOfEachWorkloads() {
        ExperimentResults r = Fixture.results();
        double lock = r.vcpubalShareOfIdealSpeedup("lock");
        double parallel = r.vcpubalShareOfIdealSpeedup("parallel");
        assertEquals(Math.sqrt(lock * parallel), r.vcpubalShareOfIdealSpeedupAllWorkloads(), 1e-12);
        assertTrue(Report.verdicts(r).get(2).startsWith("all workloads (geometric mean): vcpubal reaches"));
    }

    @Test
    void pairsVcpubalWithIdealRepeatByRepeatAndMeasuresIdealsOwnSpread() {
        ExperimentResults r = Fixture.results();
        Stats paired = r.vcpubalShareOfIdealSpeedupPerRepeat("lock");
        assertEquals(3, paired.n());
        // repeat 1: ideal (1728 + 1828) / 2 over vcpubal (1800 + 1900) / 2; repeat 3 is the lowest
        assertEquals(1778.0 / 1850, paired.max(), 1e-12);
        assertEquals(2162.0 / 2250, paired.min(), 1e-12);
        assertEquals((2162.0 - 1778) / 1970, r.idealSpread("lock"), 1e-12);
        ExperimentResults noIdeal = new ExperimentResults(r.setup(), Map.of(),
                r.runs().stream().filter(run -> !run.mode().equals("ideal")).toList());
        assertNull(noIdeal.vcpubalShareOfIdealSpeedupPerRepeat("lock"));
        assertTrue(Double.isNaN(noIdeal.idealSpread("lock")));
    }

    @Test
    void restOfGuestIgnoresRunsThatCouldNotMeasureIt() {
        ExperimentResults.Setup setup = Fixture.results().setup();
        ExperimentResults r = new ExperimentResults(setup, Map.of(), List.of(
                new ExperimentResults.Run("lock", "default", 1, "vm1", 2, 1000, 0.1, 1, 0, -1),
                new ExperimentResults.Run("lock", "default", 1, "vm2", 2, 1000, 0.1, 1, 0, 0.3)));
        assertEquals(0.3, r.cell("lock", "default").othersMean(), 1e-12);
        ExperimentResults unknown = new ExperimentResults(setup, Map.of(), List.of(
                new ExperimentResults.Run("lock", "default", 1, "vm1", 2, 1000, 0.1, 1, 0, -1)));
        assertTrue(Double.isNaN(unknown.cell("lock", "default").othersMean()));
    }

    @Test
    void modesRunInCounterbalancedOrderSoDriftHitsEveryModeAlike() {
        List<Mode> modes = List.of(Mode.DEFAULT, Mode.AFFINITY, Mode.VCPUBAL, Mode.IDEAL);
        assertEquals(modes, Experiment.modeOrder(modes, 1));
        assertEquals(List.of(Mode.IDEAL, Mode.VCPUBAL, Mode.AFFINITY, Mode.DEFAULT), Experiment.modeOrder(modes, 2));
        assertEquals(modes, Experiment.modeOrder(modes, 3));
    }
}
