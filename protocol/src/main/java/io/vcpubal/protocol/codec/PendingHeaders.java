package io.vcpubal.protocol.codec;

/**
 * Headers seen behind a waiting frame whose own frames are not complete yet, ordered by the stream position
 * where they will be, so the stale check CRCs each one once, when its last byte arrives, instead of looking at
 * it again on every read. A binary min-heap over two parallel arrays of a fixed capacity: the decoder stops
 * scanning while it is full, which delays a stale verdict but never loses a header.
 */
final class PendingHeaders {
    private final long[] ends;
    private final long[] starts;
    private int size;

    PendingHeaders(int capacity) {
        ends = new long[capacity];
        starts = new long[capacity];
    }

    boolean isFull() {
        return size == ends.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    /** Stream position where the earliest frame ends; only when not empty. */
    long firstEnd() {
        return ends[0];
    }

    /** Records a frame at stream position {@code start} ending at {@code end}; only when not full. */
    void add(long start, long end) {
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (ends[parent] <= end) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        ends[i] = end;
        starts[i] = start;
    }

    /** Removes the earliest-ending frame and returns its start; only when not empty. */
    long removeFirst() {
        long first = starts[0];
        size--;
        long end = ends[size];
        long start = starts[size];
        int i = 0;
        for (int child = 1; child < size; child = 2 * i + 1) {
            if (child + 1 < size && ends[child + 1] < ends[child]) {
                child++;
            }
            if (end <= ends[child]) {
                break;
            }
            move(child, i);
            i = child;
        }
        ends[i] = end;
        starts[i] = start;
        return first;
    }

    private void move(int from, int to) {
        ends[to] = ends[from];
        starts[to] = starts[from];
    }
}
