package io.vcpubal.protocol.codec;

/**
 * Headers seen behind a waiting frame whose own frames are not complete yet, ordered by the stream position
 * where they will be, so the stale check CRCs each one once, when its last byte arrives, instead of looking at
 * it again on every read. A binary min-heap over two parallel arrays of a fixed capacity. When it is full, a
 * header that ends sooner takes the place of the one that ends last: a sender that plants many headers
 * claiming the largest length must not keep a real frame behind them from being seen (it would be, if the
 * scan stopped while full, until a megabyte arrived). Only a header ending after all the kept ones is lost.
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

    /**
     * Records a frame at stream position {@code start} ending at {@code end}; when full, in place of the
     * latest-ending one if this one ends sooner. Returns whether it was kept. O(capacity) when full.
     */
    boolean offer(long start, long end) {
        if (!isFull()) {
            add(start, end);
            return true;
        }
        int last = size >>> 1; // the latest end is at a leaf
        for (int i = last + 1; i < size; i++) {
            if (ends[i] > ends[last]) {
                last = i;
            }
        }
        if (end >= ends[last]) {
            return false;
        }
        siftUp(last, start, end);
        return true;
    }

    /** Records a frame at stream position {@code start} ending at {@code end}; only when not full. */
    void add(long start, long end) {
        siftUp(size++, start, end);
    }

    private void siftUp(int i, long start, long end) {
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
