package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PidStatusTest {

    final PidStatus status = new PidStatus(Fixtures.root(Fixtures.THIS_VM));

    @Test
    void readsTheRealFile() {
        assertEquals(new TaskStatus("process_api", 337, 43, 13), status.read(1).orElseThrow());
        assertEquals(new TaskStatus("a) (b c", 1, 849, 1), status.read(Fixtures.TRICKY_PID).orElseThrow());
    }

    @Test
    void readsAThread() {
        TaskStatus main = status.readThread(Fixtures.JAVA_PID, Fixtures.JAVA_PID).orElseThrow();
        assertEquals("java", main.name());
        assertEquals(status.read(Fixtures.JAVA_PID).orElseThrow().voluntaryCtxtSwitches(), main.voluntaryCtxtSwitches(),
                "the process file shows the main thread's counts");
    }

    @Test
    void anExitedProcessIsEmpty() {
        assertEquals(Optional.empty(), status.read(999_999));
    }

    @Test
    void malformedLinesFallBackToDefaults() {
        TaskStatus t = PidStatus.parse(List.of("Name:", "Threads:\tmany", "voluntary_ctxt_switches:\t-4",
                "nonvoluntary_ctxt_switches 9", "Namex:\tother", "garbage"));
        assertEquals(new TaskStatus("", 0, 0, 1), t);
    }
}
