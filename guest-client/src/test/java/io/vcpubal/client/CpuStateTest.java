package io.vcpubal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CpuStateTest {
    @Test
    void roundTripsThroughTheLineFormat() {
        CpuState s = new CpuState(3, "0-1,3");
        assertEquals("cpus 3 0-1,3", s.toLine());
        assertEquals(s, CpuState.parseLine(s.toLine()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cpus", "cpus x 0-1", "cpus 0 0", "cpus -2 0-1", "cpus 2 0-1 extra",
            "contention 3 4", "CPUS 2 0-1"})
    void ignoresOtherOrMalformedLines(String line) {
        assertNull(CpuState.parseLine(line));
    }

    @Test
    void rejectsANonPositiveCount() {
        assertThrows(IllegalArgumentException.class, () -> new CpuState(0, "0"));
    }
}
