package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddAndEvenCountsAndRange() {
        assertEquals(new Stats(2, 1, 9, 3), Stats.of(List.of(9.0, 1.0, 2.0)));
        assertEquals(new Stats(2.5, 1, 9, 4), Stats.of(List.of(9.0, 1.0, 2.0, 3.0)));
        assertEquals(new Stats(5, 5, 5, 1), Stats.of(List.of(5.0)));
    }

    @Test
    void emptyIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of()));
    }

    @Test
    void normalisingDividesEveryFigureByTheBaseline() {
        Stats n = new Stats(3, 2, 6, 3).normalisedTo(4);
        assertEquals(0.75, n.median(), 1e-12);
        assertEquals(0.5, n.min(), 1e-12);
        assertEquals(1.5, n.max(), 1e-12);
        assertTrue(Double.isNaN(new Stats(1, 1, 1, 1).normalisedTo(0).median()));
    }
}
