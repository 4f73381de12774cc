package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcLockStatTest {

    @Test
    void sumsTheClassLinesOfTheDocumentedFormat() {
        LockStatTotals totals = new ProcLockStat(Fixtures.root(Fixtures.DEBUG_KERNEL)).read().orElseThrow();
        // -W and -R of &mm->mmap_lock, &rq->__lock, &rq->__lock/1, unix_table_locks
        assertEquals(5, totals.entries());
        assertEquals(84 + 100 + 13128 + 11488, totals.contentions());
        assertEquals(16371.53 + 325629.52 + 103881.26 + 136294.31, totals.waitTimeMicros(), 1e-6);
        assertEquals(2922365L + 34316685 + 3453404 + 38404 + 66312, totals.acquisitions());
        assertEquals(17464026916.32 + 95016910.20 + 13224683.11 + 109388.53 + 31589.81, totals.holdTimeMicros(), 1e-3);
    }

    @Test
    void absentOnDistributionKernels() {
        assertEquals(Optional.empty(), new ProcLockStat(Fixtures.root(Fixtures.THIS_VM)).read());
    }

    @Test
    void skipsWarningsAndMalformedClassLines() {
        String good = "                              lock_a:   1  2  0.10  0.20  0.30  0.15  3  4  0.01  0.02  0.03  0.01";
        LockStatTotals totals = ProcLockStat.parse(List.of(
                "lock_stat version 0.4",
                "*WARNING* lock debugging disabled!! - possibly due to a lockdep warning",
                good,
                "                              lock_b:   1  2  0.10  x.20  0.30  0.15  3  4  0.01  0.02  0.03  0.01",
                "                              lock_c    1  2  0.10  0.20  0.30  0.15  3  4  0.01  0.02  0.03  0.01",
                "                              lock_d:   1  2  0.10",
                "                              lock_a              1          [<ffffffff8103bfc4>] f+0x43/0x75"));
        assertEquals(new LockStatTotals(1, 2, 0.30, 4, 0.03), totals);
    }
}
