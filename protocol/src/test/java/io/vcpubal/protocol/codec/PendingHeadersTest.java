package io.vcpubal.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PendingHeadersTest {

    @Test
    void removesInOrderOfEndWhateverTheOrderOfArrival() {
        PendingHeaders heap = new PendingHeaders(64);
        Random rnd = new Random(5);
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long end = rnd.nextInt(1000);
            ends.add(end);
            heap.add(end * 10, end); // start derived from end, to check they travel together
        }
        assertTrue(heap.isFull());
        ends.sort(null);
        for (long end : ends) {
            assertEquals(end, heap.firstEnd());
            assertEquals(end * 10, heap.removeFirst());
        }
        assertTrue(heap.isEmpty());
    }

    @Test
    void whenFullAHeaderEndingSoonerReplacesTheOneEndingLast() {
        PendingHeaders heap = new PendingHeaders(4);
        for (long end : new long[] {1_000_000, 1_000_016, 1_000_032, 1_000_048}) {
            assertTrue(heap.offer(end - 1_000_000, end)); // planted headers claiming a megabyte
        }
        assertFalse(heap.offer(70, 2_000_000), "ends after every kept one: not kept");
        assertTrue(heap.offer(80, 300), "a real frame ending soon takes the last one's place");
        assertEquals(300, heap.firstEnd());
        assertEquals(80, heap.removeFirst());
        List<Long> rest = new ArrayList<>();
        while (!heap.isEmpty()) {
            rest.add(heap.removeFirst());
        }
        assertEquals(List.of(0L, 16L, 32L), rest, "the one ending last (48) made room");
    }

    @Test
    void clearEmptiesIt() {
        PendingHeaders heap = new PendingHeaders(2);
        heap.add(1, 2);
        heap.add(3, 4);
        heap.clear();
        assertTrue(heap.isEmpty());
        assertFalse(heap.isFull());
    }
}
