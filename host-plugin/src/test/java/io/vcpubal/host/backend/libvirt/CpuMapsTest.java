package io.vcpubal.host.backend.libvirt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.protocol.CpuSet;
import org.junit.jupiter.api.Test;

class CpuMapsTest {
    @Test
    void cpuZeroIsTheLowestBitOfTheFirstByte() {
        assertArrayEquals(new byte[] {0b0000_0101}, CpuMaps.of(CpuSet.parse("0,2")));
        assertArrayEquals(new byte[] {0, 0b0000_0010}, CpuMaps.of(CpuSet.parse("9")));
        assertArrayEquals(new int[] {0x80, 1}, CpuMaps.asInts(CpuMaps.of(CpuSet.parse("7-8"))));
    }

    @Test
    void readsBackOneVcpusMapOutOfTheBindingsIntArray() {
        int[] twoVcpus = {0b01, 0, 0b10, 0x80};
        assertEquals(CpuSet.of(0), CpuMaps.of(twoVcpus, 0, 2));
        assertEquals(CpuSet.parse("1,15"), CpuMaps.of(twoVcpus, 2, 2));
    }

    @Test
    void fractionalSharesBecomeCpuSharesWithinLibvirtsBounds() {
        assertEquals(512, LibvirtBackend.sharesFor(0.5));
        assertEquals(683, LibvirtBackend.sharesFor(2.0 / 3));
        assertEquals(2, LibvirtBackend.sharesFor(0));
        assertEquals(262_144, LibvirtBackend.sharesFor(1e9));
    }
}
