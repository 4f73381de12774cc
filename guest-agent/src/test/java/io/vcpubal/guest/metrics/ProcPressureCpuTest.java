package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcPressureCpuTest {

    @Test
    void readsTheRealFile() {
        CpuPressure psi = new ProcPressureCpu(Fixtures.root(Fixtures.THIS_VM)).read();
        assertTrue(psi.available());
        // some avg10=67.46 avg60=66.16 avg300=48.39 total=313042602
        assertEquals(Optional.of(new PressureLine(67.46, 66.16, 48.39, 313042602)), psi.some());
        assertEquals(Optional.of(new PressureLine(0, 0, 0, 0)), psi.full());
    }

    @Test
    void aKernelWithoutPsiIsNotAvailable() {
        CpuPressure psi = new ProcPressureCpu(Fixtures.root(Fixtures.NO_PSI)).read();
        assertFalse(psi.available());
        assertEquals(CpuPressure.NOT_AVAILABLE, psi);
    }

    @Test
    void kernelsBefore513HaveNoFullLine() {
        CpuPressure psi = ProcPressureCpu.parse(List.of("some avg10=1.50 avg60=0.75 avg300=0.20 total=123456"));
        assertTrue(psi.available());
        assertEquals(Optional.empty(), psi.full());
    }

    @Test
    void malformedValuesCountAsZero() {
        CpuPressure psi = ProcPressureCpu.parse(List.of("some avg10=abc avg60 avg300=NaN total=42 extra=1", "full"));
        assertEquals(Optional.of(new PressureLine(0, 0, 0, 42)), psi.some());
        assertEquals(Optional.of(new PressureLine(0, 0, 0, 0)), psi.full());
    }

    @Test
    void noSomeLineIsNotAvailable() {
        assertFalse(ProcPressureCpu.parse(List.of("garbage", "")).available());
        assertFalse(ProcPressureCpu.parse(List.of()).available());
    }
}
