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
    void clearEmptiesIt() {
        PendingHeaders heap = new PendingHeaders(2);
        heap.add(1, 2);
        heap.add(3, 4);
        heap.clear();
        assertTrue(heap.isEmpty());
        assertFalse(heap.isFull());
    }
}
