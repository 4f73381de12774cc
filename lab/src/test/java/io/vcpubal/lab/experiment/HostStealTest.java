package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostStealTest {
    @Test
    void readsTheAggregateCpuLine() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(getClass().getResource("/experiment/proc-stat.txt").toURI()));
        HostSteal s = HostSteal.parse(lines);
        assertEquals(12803, s.stealTicks());
        assertEquals(611897 + 34977 + 432527 + 886 + 2422 + 12803, s.totalTicks());
    }

    @Test
    void stolenShareBetweenTwoSamples() {
        assertEquals(0.25, new HostSteal(35, 200).stolenSince(new HostSteal(10, 100)), 1e-12);
        assertEquals(0, new HostSteal(10, 100).stolenSince(new HostSteal(10, 100)), 1e-12);
    }

    @Test
    void malformedOrMissingGivesUnknown() {
        assertEquals(HostSteal.UNKNOWN, HostSteal.parse(List.of("cpu 1 2 3")));
        assertEquals(HostSteal.UNKNOWN, HostSteal.parse(List.of("cpu 1 2 3 4 5 6 7 x")));
        assertEquals(HostSteal.UNKNOWN, HostSteal.parse(List.of("intr 1", "")));
        assertEquals(HostSteal.UNKNOWN, HostSteal.read(Path.of("/nonexistent")));
    }
}
