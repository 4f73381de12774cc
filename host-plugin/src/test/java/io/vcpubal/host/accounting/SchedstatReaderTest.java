package io.vcpubal.host.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SchedstatReaderTest {
    /** A QEMU (pid 4242) with its main thread and two vCPU threads (4250, 4251). */
    static final Path QEMU_2VCPU = fixture("qemu-2vcpu");
    /** Three threads of 4242 whose schedstat is a word, empty, or two numbers. */
    static final Path GARBLED = fixture("garbled");

    record Case(String name, List<String> lines, Optional<TaskSchedstat> parsed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> lines() {
        return Stream.of(
                new Case("a running thread", List.of("6209884 1875916 3"), Optional.of(new TaskSchedstat(6209884, 1875916, 3))),
                new Case("trailing blanks", List.of(" 10 20 30 "), Optional.of(new TaskSchedstat(10, 20, 30))),
                new Case("a thread that never ran", List.of("0 0 0"), Optional.of(new TaskSchedstat(0, 0, 0))),
                new Case("empty file", List.of(), Optional.empty()),
                new Case("two fields", List.of("1 2"), Optional.empty()),
                new Case("four fields", List.of("1 2 3 4"), Optional.empty()),
                new Case("not numbers", List.of("a b c"), Optional.empty()),
                new Case("negative", List.of("-1 2 3"), Optional.empty()),
                new Case("beyond a long", List.of("99999999999999999999 2 3"), Optional.empty()),
                new Case("two lines", List.of("1 2 3", "4 5 6"), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void parses(Case c) {
        assertEquals(c.parsed(), TaskSchedstat.parse(c.lines()));
    }

    @Test
    void readsAThreadUnderTheRoot() {
        assertEquals(Optional.of(new TaskSchedstat(120400999231L, 40022017763L, 1200345)),
                new SchedstatReader(QEMU_2VCPU).read(4242, 4250));
    }

    @Test
    void aMissingOrGarbledFileIsUnknown() {
        SchedstatReader garbled = new SchedstatReader(GARBLED);
        assertEquals(Optional.empty(), garbled.read(4242, 4250));
        assertEquals(Optional.empty(), garbled.read(4242, 4251));
        assertEquals(Optional.empty(), garbled.read(4242, 4252));
        assertEquals(Optional.empty(), garbled.read(4242, 4299), "no such thread");
        assertEquals(Optional.empty(), garbled.read(0, 4250), "no process");
    }

    @Test
    void theSamplerReadsTheAcceptedVcpuThreadsOnly() {
        VmProcess qemu = new VmProcess(4242, 777, 3, List.of(new VcpuThread(0, 4250), new VcpuThread(1, 4251),
                new VcpuThread(2, 4299)), List.of());
        HostVcpuSample s = new VcpuSampler(new SchedstatReader(QEMU_2VCPU)).sample(qemu, 5).orElseThrow();
        assertEquals(Map.of(4250, new TaskSchedstat(120400999231L, 40022017763L, 1200345),
                4251, new TaskSchedstat(98004100022L, 51003400911L, 998001)), s.threads(), "4299 is unknown, not zero");
        assertEquals(120400999231L + 98004100022L, s.runNs());
        assertEquals(40022017763L + 51003400911L, s.waitNs());
        assertEquals(777, s.startTicks());
        assertTrue(new VcpuSampler(new SchedstatReader(GARBLED)).sample(qemu, 5).isEmpty(), "nothing readable");
        assertTrue(new VcpuSampler(new SchedstatReader(QEMU_2VCPU)).sample(null, 5).isEmpty(), "no process");
    }

    static Path fixture(String name) {
        try {
            return Path.of(SchedstatReaderTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
