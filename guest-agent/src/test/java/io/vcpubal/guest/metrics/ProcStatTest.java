package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void readsTheRealFile() {
        CpuTimes times = new ProcStat(Fixtures.root(Fixtures.THIS_VM)).read();
        // cpu  89971 0 6876 112040 432 0 350 5906 0 0
        assertEquals(new CpuTicks(89971, 0, 6876, 112040, 432, 0, 350, 5906, 0, 0), times.all());
        assertEquals(Set.of(0, 1), times.perCpu().keySet());
        assertEquals(2330174, times.contextSwitches());
        assertEquals(6, times.procsRunning());
        assertEquals(0, times.procsBlocked());
        // cpu0 43607 0 3288 57688 85 0 188 3056 0 0
        assertEquals(new CpuTicks(43607, 0, 3288, 57688, 85, 0, 188, 3056, 0, 0), times.perCpu().get(0));
    }

    @Test
    void toleratesOldKernelsAndMalformedLines() {
        CpuTimes times = ProcStat.parse(List.of(
                "cpu  10 1 5 100 2 0 3",                  // 2.6.0-era: no steal, guest, guest_nice
                "cpu0 x 1 5 100 2 0 3 7 0 0",            // malformed number counts as 0
                "cpu1",                                  // no numbers at all
                "cpuZ 1 2 3",                            // not a CPU number: ignored
                "cpu99999 1 2 3",                        // beyond any kernel's NR_CPUS: ignored
                "ctxt not-a-number",
                "",
                "procs_running 3 extra",
                "garbage line"));
        assertEquals(new CpuTicks(10, 1, 5, 100, 2, 0, 3, 0, 0, 0), times.all());
        assertEquals(new CpuTicks(0, 1, 5, 100, 2, 0, 3, 7, 0, 0), times.perCpu().get(0));
        assertEquals(CpuTicks.ZERO, times.perCpu().get(1));
        assertEquals(Set.of(0, 1), times.perCpu().keySet());
        assertEquals(0, times.contextSwitches());
        assertEquals(3, times.procsRunning());
    }

    @Test
    void anAbsentFileIsEmpty() {
        assertEquals(CpuTimes.EMPTY, new ProcStat(Path.of("/nonexistent-root")).read());
    }

    @Test
    void ticksArithmetic() {
        CpuTicks a = new CpuTicks(100, 10, 50, 500, 5, 2, 3, 30, 20, 0);
        // guest (20) is inside user already, so it is not added again
        assertEquals(100 + 10 + 50 + 500 + 5 + 2 + 3 + 30, a.total());
        assertEquals(100 + 10 + 50 + 2 + 3, a.busy());
        assertEquals(50 + 2 + 3, a.kernel());
        CpuTicks b = new CpuTicks(90, 10, 60, 400, 5, 2, 3, 20, 20, 0);
        assertEquals(new CpuTicks(10, 0, 0, 100, 0, 0, 0, 10, 0, 0), a.minus(b), "clamped at 0 where b is larger");
    }
}
