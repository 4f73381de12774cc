package io.vcpubal.host.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.topology.HostTopology.Cpu;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostTopologyTest {

    @Test
    void uniformDualSocketHtNumbersLikeLinux() {
        HostTopology t = HostTopology.uniform(2, 16, 2);
        assertEquals(64, t.numCpus());
        assertEquals(32, t.numCores());
        assertEquals(List.of(0, 1), t.sockets());
        assertEquals(List.of(0, 1), t.nodes());
        assertEquals("0-15,32-47", t.cpusInSocket(0).toString());
        assertEquals("16-31,48-63", t.cpusInNode(1).toString());
        assertEquals("5,37", t.siblings(37).toString());
        assertEquals("16,48", t.cpusInCore(1, 0).toString());
        assertEquals(new Cpu(48, 0, 1, 1), t.cpu(48));
        assertEquals("0,32", t.cores().get(0).toString());
        assertEquals("16,48", t.cores().get(16).toString(), "cores are grouped by socket");
        assertEquals(2, t.maxThreadsPerCore());
    }

    @Test
    void queriesOnUnknownIds() {
        HostTopology t = HostTopology.uniform(1, 2, 1);
        assertTrue(t.cpusInSocket(7).isEmpty());
        assertTrue(t.cpusInNode(7).isEmpty());
        assertTrue(t.cpusInCore(0, 9).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.cpu(5));
        assertEquals("CPU 5 is not an online CPU of this host (0-1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.siblings(5));
    }

    @Test
    void rejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class, () -> HostTopology.of(List.of()));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> HostTopology.of(List.of(new Cpu(0, 0, 0, 0), new Cpu(0, 1, 0, 0))));
        assertEquals("CPU 0 is listed twice", twice.getMessage());
        IllegalArgumentException spans = assertThrows(IllegalArgumentException.class,
                () -> HostTopology.of(List.of(new Cpu(0, 0, 0, 0), new Cpu(1, 0, 0, 1))));
        assertTrue(spans.getMessage().contains("spans NUMA nodes 0 (CPU 0) and 1 (CPU 1)"), spans.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cpu(0, -1, 0, 0));
    }

    @Test
    void valueEquality() {
        assertEquals(HostTopology.uniform(1, 2, 2), HostTopology.of(List.of(
                new Cpu(3, 1, 0, 0), new Cpu(0, 0, 0, 0), new Cpu(1, 1, 0, 0), new Cpu(2, 0, 0, 0))));
        assertEquals(HostTopology.uniform(1, 2, 2).hashCode(), HostTopology.uniform(1, 2, 2).hashCode());
    }
}
