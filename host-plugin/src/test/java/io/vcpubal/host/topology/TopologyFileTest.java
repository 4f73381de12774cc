package io.vcpubal.host.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.topology.HostTopology.Cpu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopologyFileTest {

    @ParameterizedTest
    @ValueSource(strings = {"lscpu/this-host-2cpu.txt", "lscpu/this-host-2cpu-default-columns.txt"})
    void readsLscpuOutputOfThisHost(String fixture) throws IOException {
        HostTopology fromFile = TopologyFile.read(Fixtures.path(fixture));
        HostTopology fromSys = new SysfsTopologyDiscovery(Fixtures.sysfsRoot("this-host-2cpu")).discover();
        assertEquals(fromSys, fromFile);
    }

    @Test
    void formatParsesBack() {
        for (HostTopology t : List.of(HostTopology.uniform(2, 16, 2), HostTopology.uniform(1, 12, 1),
                HostTopology.uniform(1, 3, 2))) {
            assertEquals(t, TopologyFile.parse(TopologyFile.format(t)));
        }
    }

    @Test
    void headerlessAndEmptyNode() {
        HostTopology t = TopologyFile.parse(List.of("", "0,0,0,", "1,0,0,", "  2,1,0,0  "));
        assertEquals(List.of(new Cpu(0, 0, 0, 0), new Cpu(1, 0, 0, 0), new Cpu(2, 1, 0, 0)), t.cpuList());
        assertEquals("0-1", t.siblings(1).toString());
    }

    @Test
    void headerSelectsColumns() {
        HostTopology t = TopologyFile.parse(List.of("# socket,cpu,core", "1,0,4", "1,1,5"));
        assertEquals(List.of(new Cpu(0, 4, 1, 0), new Cpu(1, 5, 1, 0)), t.cpuList());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(List.of("0,0,0"), "line 1: expected 4 comma-separated fields CPU,CORE,SOCKET,NODE, got 3"),
                Arguments.of(List.of("# x", "0,0,0,0", "1,1,0,0,7"), "line 3: expected 4 comma-separated fields"),
                Arguments.of(List.of("0,0,0,0", "x,0,0,0"), "line 2: CPU \"x\" is not a non-negative integer"),
                Arguments.of(List.of("0,-1,0,0"), "line 1: CORE \"-1\" is not a non-negative integer"),
                Arguments.of(List.of("0,0,,0"), "line 1: SOCKET is empty (offline CPU?"),
                Arguments.of(List.of("0,0,0,0", "0,1,0,0"), "line 2: CPU 0 is listed twice"),
                Arguments.of(List.of("70000,0,0,0"), "line 1: CPU 70000 is above the limit"),
                Arguments.of(List.of("# CPU,Socket,Node"), "line 1: column header lacks CORE"),
                Arguments.of(List.of("0,0,0,0", "# CPU,Core,Socket,Node"), "line 2: column header"),
                Arguments.of(List.of("# only comments"), "no CPU lines found"),
                Arguments.of(List.of("0,0,0,0", "1,0,0,1"), "inconsistent topology: core 0 of socket 0 spans NUMA nodes"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void rejectsMalformedWithLineNumbers(List<String> lines, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopologyFile.parse(lines));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void readNamesTheFile() {
        Path file = Fixtures.path("sysfs/this-host-2cpu/sys/devices/system/cpu/online");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopologyFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ": line 1: expected 4"), e.getMessage());
    }
}
