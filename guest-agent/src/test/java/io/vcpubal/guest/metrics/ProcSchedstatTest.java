package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcSchedstatTest {

    @Test
    void readsVersion15() {
        SchedstatTotals totals = new ProcSchedstat(Fixtures.root(Fixtures.DEBUG_KERNEL)).read().orElseThrow();
        assertEquals(15, totals.version());
        assertEquals(Set.of(0, 1, 2, 3), totals.perCpu().keySet());
        assertEquals(new TaskSchedstat(512309865311L, 20450032177L, 1261247), totals.perCpu().get(0));
        assertEquals(new TaskSchedstat(512309865311L + 498220113873L + 431020998112L + 420110223344L,
                20450032177L + 19873341020L + 18110044512L + 17998120001L, 1261247 + 1198331 + 1102447 + 1087762),
                totals.all());
    }

    @Test
    void absentWithoutSchedstats() {
        // This machine's kernel has no /proc/schedstat.
        assertEquals(Optional.empty(), new ProcSchedstat(Fixtures.root(Fixtures.THIS_VM)).read());
    }

    @Test
    void shortOrMalformedCpuLinesAreSkippedOrZero() {
        SchedstatTotals totals = ProcSchedstat.parse(List.of("version x", "cpu0 1 2 3", "cpu1 0 0 0 0 0 0 5 six 7",
                "cpuX 0 0 0 0 0 0 1 1 1", "domain0 3 1 2 3"));
        assertEquals(0, totals.version());
        assertEquals(Set.of(1), totals.perCpu().keySet());
        assertEquals(new TaskSchedstat(5, 0, 7), totals.perCpu().get(1));
    }
}
