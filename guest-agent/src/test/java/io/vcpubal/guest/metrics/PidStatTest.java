package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PidStatTest {

    final PidStat stat = new PidStat(Fixtures.root(Fixtures.THIS_VM));

    @Test
    void aNameWithSpacesAndParentheses() {
        TaskStat t = stat.read(Fixtures.TRICKY_PID).orElseThrow();
        assertEquals(new TaskStat(26031, "a) (b c", 'R', t.ppid(), 193, 0, 1, 106402, t.processor(), t.flags()), t);
        assertEquals(false, t.kernelThread());
        assertEquals(193, t.cpuTicks());
    }

    @Test
    void aMultiThreadedProcessReportsTheWholeProcess() {
        TaskStat t = stat.read(Fixtures.JAVA_PID).orElseThrow();
        assertEquals("java", t.comm());
        assertEquals(23, t.threads());
        assertEquals(535, t.utimeTicks());
        assertEquals(8, t.stimeTicks());
        assertEquals(106403, t.startTicks());
    }

    @Test
    void aLongKernelThreadName() {
        assertEquals("rcu_exp_par_gp_kthread_worker/0", stat.read(16).orElseThrow().comm());
        assertEquals('S', stat.read(14).orElseThrow().state());
        assertEquals(true, stat.read(16).orElseThrow().kernelThread());
    }

    @Test
    void anExitedProcessIsEmpty() {
        assertEquals(Optional.empty(), stat.read(999_999));
    }

    @Test
    void theLastParenthesisEndsTheName() {
        String line = "42 (x) S 1 2 (y)) R 7 42 42 0 -1 4194304 1 0 0 0 11 22 0 0 20 0 3 0 555 0 0 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        TaskStat t = PidStat.parseLine(line).orElseThrow();
        assertEquals("x) S 1 2 (y)", t.comm());
        assertEquals('R', t.state());
        assertEquals(7, t.ppid());
        assertEquals(11, t.utimeTicks());
        assertEquals(22, t.stimeTicks());
        assertEquals(3, t.threads());
        assertEquals(555, t.startTicks());
        assertEquals(1, t.processor());
    }

    static Stream<String> malformed() {
        return Stream.of("", "garbage", "12 (no closing paren S 1 2", "12 (x) S 1 2 3", ") 12 (x",
                "(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
                "-5 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
                "12 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedLinesAreEmptyNotErrors(String line) {
        assertEquals(Optional.empty(), PidStat.parse(List.of(line)));
    }

    @Test
    void malformedNumbersInAValidLineCountAsZero() {
        TaskStat t = PidStat.parseLine("12 (x) S 1 2 3 4 5 6 7 8 9 10 utime? 12 13 14 15 16 17 18 19 20").orElseThrow();
        assertEquals(0, t.utimeTicks());
        assertEquals(12, t.stimeTicks());
        assertEquals(-1, t.processor());
    }
}
