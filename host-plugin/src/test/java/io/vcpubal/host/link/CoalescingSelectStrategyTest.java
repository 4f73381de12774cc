package io.vcpubal.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.SelectStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescingSelectStrategyTest {
    private long now = 1_000_000_000L;
    private final List<Long> slept = new ArrayList<>();
    private final CoalescingSelectStrategy strategy = new CoalescingSelectStrategy(Duration.ofMillis(10), () -> now,
            nanos -> {
                slept.add(nanos);
                now += nanos;
            });

    @Test
    void aLoopBackSoonerThanTheWindowSleepsTheRestFirst() throws Exception {
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(() -> 0, false));
        now += 2_000_000; // a report woke the loop 2 ms later; it read it and comes back
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(() -> 0, false));
        assertEquals(List.of(8_000_000L), slept);
        now += 1_000_000;
        strategy.calculateStrategy(() -> 0, false);
        assertEquals(List.of(8_000_000L, 9_000_000L), slept, "the window counts from the last select, after the sleep");
    }

    @Test
    void anIdleLoopSelectsAtOnce() throws Exception {
        strategy.calculateStrategy(() -> 0, false);
        now += 50_000_000;
        strategy.calculateStrategy(() -> 0, false);
        now += 10_000_000;
        strategy.calculateStrategy(() -> 0, false);
        assertEquals(List.of(), slept);
    }

    @Test
    void pendingTasksPollWithoutBlockingOrSleeping() throws Exception {
        strategy.calculateStrategy(() -> 0, false);
        assertEquals(3, strategy.calculateStrategy(() -> 3, true));
        assertEquals(List.of(), slept);
    }

    @Test
    void aZeroWindowNeverSleepsAndANegativeOneIsRefused() throws Exception {
        List<Long> none = new ArrayList<>();
        CoalescingSelectStrategy zero = new CoalescingSelectStrategy(Duration.ZERO, () -> now, none::add);
        zero.calculateStrategy(() -> 0, false);
        zero.calculateStrategy(() -> 0, false);
        assertEquals(List.of(), none);
        assertThrows(IllegalArgumentException.class,
                () -> new CoalescingSelectStrategy(Duration.ofMillis(-1), () -> now, none::add));
    }
}
