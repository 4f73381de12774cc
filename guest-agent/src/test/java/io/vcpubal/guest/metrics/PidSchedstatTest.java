package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PidSchedstatTest {

    final PidSchedstat schedstat = new PidSchedstat(Fixtures.root(Fixtures.THIS_VM));

    @Test
    void readsTheRealFile() {
        // 1942441019 5527177353 851: the hog waited almost 3x as long as it ran (2 vCPUs, many hogs)
        assertEquals(Optional.of(new TaskSchedstat(1942441019L, 5527177353L, 851)), schedstat.read(Fixtures.TRICKY_PID));
    }

    @Test
    void readsAThread() {
        assertEquals(schedstat.read(Fixtures.JAVA_PID), schedstat.readThread(Fixtures.JAVA_PID, Fixtures.JAVA_PID));
    }

    @Test
    void malformedOrShortIsEmpty() {
        assertEquals(Optional.empty(), PidSchedstat.parse(List.of("1 2")));
        assertEquals(Optional.empty(), PidSchedstat.parse(List.of("a b c")));
        assertEquals(Optional.empty(), PidSchedstat.parse(List.of("1 -2 3")));
        assertEquals(Optional.empty(), PidSchedstat.parse(List.of()));
        assertEquals(Optional.empty(), schedstat.read(999_999));
    }

    @Test
    void sums() {
        assertEquals(new TaskSchedstat(4, 6, 8), new TaskSchedstat(1, 2, 3).plus(new TaskSchedstat(3, 4, 5)));
    }
}
