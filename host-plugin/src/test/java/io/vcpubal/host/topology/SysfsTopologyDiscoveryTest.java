package io.vcpubal.host.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vcpubal.host.topology.HostTopology.Cpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor.LogicalProcessor;

class SysfsTopologyDiscoveryTest {

    /** Expected CPUs as "id/core/socket/node" strings, easy to read next to the fixture tree. */
    static Stream<Arguments> fixtures() {
        return Stream.of(
                // Copy of the /sys of the 2-core machine these tests were written on.
                Arguments.of("this-host-2cpu", List.of("0/0/0/0", "1/1/0/0"), 2, 1, 1),
                // core_id restarts in every socket; SMT siblings are N and N+4.
                Arguments.of("dual-socket-ht", List.of("0/0/0/0", "1/1/0/0", "2/0/1/1", "3/1/1/1",
                        "4/0/0/0", "5/1/0/0", "6/0/1/1", "7/1/1/1"), 4, 2, 2),
                // cpu2 is offline: not in the topology, and dropped from its sibling's list.
                Arguments.of("offline-cpu", List.of("0/0/0/0", "1/1/0/0", "3/1/0/0"), 2, 1, 1),
                // Garbage online file (fall back to cpuN/topology dirs), package -1 (-> 0), core_id 0 for
                // CPUs the kernel says are separate cores and one core_id missing (-> lowest sibling),
                // no node directory (-> node 0).
                Arguments.of("odd-firmware", List.of("0/0/0/0", "1/1/0/0", "2/2/0/0"), 3, 1, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void discoversFixtureTrees(String fixture, List<String> expected, int cores, int sockets, int nodes)
            throws IOException {
        HostTopology topology = new SysfsTopologyDiscovery(Fixtures.sysfsRoot(fixture)).discover();
        assertEquals(expected, topology.cpuList().stream()
                .map(c -> c.id() + "/" + c.coreId() + "/" + c.socketId() + "/" + c.nodeId())
                .collect(Collectors.toList()));
        assertEquals(cores, topology.numCores());
        assertEquals(sockets, topology.numSockets());
        assertEquals(nodes, topology.numNodes());
    }

    @Test
    void dualSocketSiblingsAndNodes() throws IOException {
        HostTopology topology = new SysfsTopologyDiscovery(Fixtures.sysfsRoot("dual-socket-ht")).discover();
        assertEquals("2,6", topology.siblings(6).toString());
        assertEquals("0-1,4-5", topology.cpusInSocket(0).toString());
        assertEquals("2-3,6-7", topology.cpusInNode(1).toString());
        assertEquals("3,7", topology.cpusInCore(1, 1).toString());
        assertEquals(2, topology.maxThreadsPerCore());
    }

    @Test
    void emptyRootIsAnError(@TempDir Path empty) {
        IOException e = assertThrows(IOException.class, () -> new SysfsTopologyDiscovery(empty).discover());
        assertTrue(e.getMessage().contains("no online CPU"), e.getMessage());
    }

    @Test
    void onlineFileWinsOverDirectories(@TempDir Path root) throws IOException {
        Path cpu = root.resolve("sys/devices/system/cpu");
        Files.createDirectories(cpu.resolve("cpu0/topology"));
        Files.createDirectories(cpu.resolve("cpu1/topology"));
        Files.writeString(cpu.resolve("online"), "1\n");
        HostTopology topology = new SysfsTopologyDiscovery(root).discover();
        assertEquals("1", topology.cpus().toString());
        assertEquals(new Cpu(1, 1, 0, 0), topology.cpu(1), "no topology files: own core, socket 0, node 0");
    }

    @Test
    void assembleIsPureAndTolerant() {
        var files = Map.of(
                0, new SysfsTopologyDiscovery.CpuFiles("0\n", "0\n", "0,2\n"),
                2, new SysfsTopologyDiscovery.CpuFiles("0\n", "0\n", "not a list"));
        HostTopology topology = SysfsTopologyDiscovery.assemble("0,2", files, Map.of(3, "0,2", 1, "x")).orElseThrow();
        // cpu2's sibling list is unreadable, so core_id and siblings disagree: fall back to lowest sibling.
        assertEquals(List.of(new Cpu(0, 0, 0, 3), new Cpu(2, 2, 0, 3)), topology.cpuList());
        assertTrue(SysfsTopologyDiscovery.assemble(null, Map.of(), Map.of()).isEmpty());
    }

    /** On the real /sys of this machine our discovery must agree with OSHI's, CPU by CPU. */
    @Test
    void realSysAgreesWithOshi() throws IOException {
        ((Logger) LoggerFactory.getLogger("oshi")).setLevel(Level.WARN);
        HostTopology ours = new SysfsTopologyDiscovery(Path.of("/")).discover();
        List<LogicalProcessor> oshi = new SystemInfo().getHardware().getProcessor().getLogicalProcessors();
        assertEquals(oshi.size(), ours.numCpus(), "number of online logical CPUs");
        for (LogicalProcessor lp : oshi) {
            Cpu cpu = ours.cpu(lp.getProcessorNumber());
            String where = "CPU " + lp.getProcessorNumber();
            assertEquals(lp.getPhysicalPackageNumber(), cpu.socketId(), where + " socket");
            assertEquals(lp.getPhysicalProcessorNumber(), cpu.coreId(), where + " core");
            assertEquals(lp.getNumaNode(), cpu.nodeId(), where + " NUMA node");
        }
    }
}
