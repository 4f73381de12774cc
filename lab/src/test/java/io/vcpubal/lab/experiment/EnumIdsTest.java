package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EnumIdsTest {
    @Test
    void findsModesAndWorkloadsByTheirIds() {
        assertEquals(Mode.VCPUBAL, Mode.byId("vcpubal"));
        assertEquals(Workload.HISTOGRAM, Workload.byId("histogram"));
    }

    @Test
    void anUnknownIdIsRefusedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mode.byId("VCPUBAL"));
        assertEquals("unknown mode 'VCPUBAL' (known: default, affinity, vcpubal, vcpubal-static, vcpubal-fence, ideal)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Workload.byId("sort"));
        assertEquals("unknown workload 'sort' (known: lock, barrier, histogram, wordcount, parallel, phased, server)", e.getMessage());
    }
}
