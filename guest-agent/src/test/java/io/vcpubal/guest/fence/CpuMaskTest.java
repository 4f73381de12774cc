package io.vcpubal.guest.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcpubal.protocol.CpuSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuMaskTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "0-3; f",
        "0,2; 5",
        "0-31; ffffffff",
        "0-3,32; 1,0000000f",
        "40; 100,00000000",
        "; 0"})
    void kernelFormat(String cpus, String mask) {
        CpuSet set = cpus == null ? CpuSet.empty() : CpuSet.parse(cpus);
        assertEquals(mask, CpuMask.format(set));
        assertEquals(set, CpuMask.parse(mask));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0-3", "xyz", "123456789"})
    void notAMask(String text) {
        assertThrows(IllegalArgumentException.class, () -> CpuMask.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"'00000000,0000000f', 0-3", "'ff\n', 0-7"})
    void leadingZeroWordsAndNewlines(String mask, String cpus) {
        assertEquals(CpuSet.parse(cpus), CpuMask.parse(mask));
    }
}
