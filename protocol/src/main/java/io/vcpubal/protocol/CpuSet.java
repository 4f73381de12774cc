package io.vcpubal.protocol;

import java.util.BitSet;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * An immutable set of logical CPU numbers, written in the kernel's cpulist format ("0-3,5,7-8").
 *
 * <p>{@link #parse(String)} is strict, for command and config input: it accepts only decimal items
 * {@code N} or {@code A-B} (A ≤ B, in any order but never overlapping) separated by single commas, with
 * no inner whitespace; the empty string is the empty set (the kernel writes an empty line for it,
 * e.g. {@code /sys/devices/system/cpu/offline}). Anything else is rejected with a message that says what
 * and where. {@link #tryParse(String)} is the parse-or-default twin for reading {@code /sys}.
 */
public final class CpuSet {

    /** Highest CPU number accepted; far above the kernel's NR_CPUS limit (8192), far below a memory blow-up. */
    public static final int MAX_CPU = 65_535;

    private static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;
    private final int size;

    private CpuSet(BitSet bits) {
        this.bits = bits;
        this.size = bits.cardinality();
    }

    public static CpuSet empty() {
        return EMPTY;
    }

    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            bits.set(checkCpu(cpu));
        }
        return of(bits);
    }

    /** The CPUs {@code first..last}, both included. */
    public static CpuSet range(int first, int last) {
        checkCpu(first);
        checkCpu(last);
        if (first > last) {
            throw new IllegalArgumentException("CPU range " + first + "-" + last + " is descending");
        }
        BitSet bits = new BitSet(last + 1);
        bits.set(first, last + 1);
        return of(bits);
    }

    /** A copy of {@code bits} as a CpuSet. */
    public static CpuSet of(BitSet bits) {
        if (bits.isEmpty()) {
            return EMPTY;
        }
        if (bits.length() - 1 > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + (bits.length() - 1) + " is above the limit " + MAX_CPU);
        }
        return new CpuSet((BitSet) bits.clone());
    }

    public static CpuSet of(java.util.Collection<Integer> cpus) {
        return of(cpus.stream().mapToInt(Integer::intValue));
    }

    public static CpuSet of(IntStream cpus) {
        BitSet bits = new BitSet();
        cpus.forEach(cpu -> bits.set(checkCpu(cpu)));
        return of(bits);
    }

    /**
     * Parses a cpulist strictly (see the class comment). Surrounding whitespace (the newline at the end
     * of a sysfs file) is ignored.
     *
     * @throws IllegalArgumentException naming the offending item and its position
     */
    public static CpuSet parse(String cpulist) {
        if (cpulist == null) {
            throw new IllegalArgumentException("cpulist is null");
        }
        String text = cpulist.strip();
        if (text.isEmpty()) {
            return EMPTY;
        }
        BitSet bits = new BitSet();
        int start = 0;
        while (start <= text.length()) {
            int comma = text.indexOf(',', start);
            int end = comma < 0 ? text.length() : comma;
            String item = text.substring(start, end);
            if (item.isEmpty()) {
                throw malformed(cpulist, "empty item at position " + (start + 1));
            }
            int dash = item.indexOf('-');
            int first = number(cpulist, dash < 0 ? item : item.substring(0, dash), start);
            int last = dash < 0 ? first : number(cpulist, item.substring(dash + 1), start + dash + 1);
            if (first > last) {
                throw malformed(cpulist, "descending range \"" + item + "\" at position " + (start + 1));
            }
            int overlap = bits.nextSetBit(first);
            if (overlap >= 0 && overlap <= last) {
                throw malformed(cpulist, "CPU " + overlap + " is listed twice");
            }
            bits.set(first, last + 1);
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        return new CpuSet(bits);
    }

    /** Parse-or-default for kernel-written files: empty when the text is not a valid cpulist. */
    public static Optional<CpuSet> tryParse(String cpulist) {
        try {
            return Optional.of(parse(cpulist));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int number(String cpulist, String digits, int position) {
        if (digits.isEmpty()) {
            throw malformed(cpulist, "missing number at position " + (position + 1));
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed(cpulist, "unexpected '" + c + "' at position " + (position + i + 1)
                        + " (expected digits, '-' or ',')");
            }
        }
        // Length check first: Integer.parseInt would overflow on long digit strings.
        if (digits.length() > 6 || Integer.parseInt(digits) > MAX_CPU) {
            throw malformed(cpulist, "CPU " + digits + " is above the limit " + MAX_CPU);
        }
        return Integer.parseInt(digits);
    }

    private static IllegalArgumentException malformed(String cpulist, String why) {
        return new IllegalArgumentException("invalid cpulist \"" + cpulist + "\": " + why
                + "; expected e.g. \"0-3,5,7-8\"");
    }

    private static int checkCpu(int cpu) {
        if (cpu < 0 || cpu > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + cpu + " is outside 0-" + MAX_CPU);
        }
        return cpu;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /** True when every CPU of this set is in {@code other}. */
    public boolean isSubsetOf(CpuSet other) {
        BitSet rest = (BitSet) bits.clone();
        rest.andNot(other.bits);
        return rest.isEmpty();
    }

    /** Whether every CPU of {@code other} is in this set. */
    public boolean containsAll(CpuSet other) {
        return other.isSubsetOf(this);
    }

    public boolean intersects(CpuSet other) {
        return bits.intersects(other.bits);
    }

    public CpuSet union(CpuSet other) {
        BitSet result = (BitSet) bits.clone();
        result.or(other.bits);
        return new CpuSet(result);
    }

    public CpuSet intersection(CpuSet other) {
        BitSet result = (BitSet) bits.clone();
        result.and(other.bits);
        return new CpuSet(result);
    }

    public CpuSet minus(CpuSet other) {
        BitSet result = (BitSet) bits.clone();
        result.andNot(other.bits);
        return new CpuSet(result);
    }

    /** The lowest CPU. */
    public int first() {
        if (size == 0) {
            throw new IllegalStateException("empty CpuSet has no first CPU");
        }
        return bits.nextSetBit(0);
    }

    /** The CPUs in ascending order. */
    /** The highest CPU; throws on the empty set. */
    public int last() {
        if (isEmpty()) {
            throw new IllegalStateException("empty CpuSet has no last CPU");
        }
        return bits.length() - 1;
    }

    /** This set plus {@code cpu}. */
    public CpuSet with(int cpu) {
        return union(of(cpu));
    }

    /** This set without {@code cpu}. */
    public CpuSet without(int cpu) {
        return minus(of(cpu));
    }

    public IntStream stream() {
        return bits.stream();
    }

    public int[] toArray() {
        return bits.stream().toArray();
    }

    public void forEach(IntConsumer action) {
        for (int cpu = bits.nextSetBit(0); cpu >= 0; cpu = bits.nextSetBit(cpu + 1)) {
            action.accept(cpu);
        }
    }

    /** A mutable copy, for algorithms that build sets step by step. */
    public BitSet toBitSet() {
        return (BitSet) bits.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && bits.equals(other.bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    /** The canonical cpulist as the kernel writes it: ascending, every run of CPUs as a range ("0-3,5,7-8"). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int first = bits.nextSetBit(0);
        while (first >= 0) {
            int last = bits.nextClearBit(first) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(first);
            if (last > first) {
                out.append('-').append(last);
            }
            first = bits.nextSetBit(last + 1);
        }
        return out.toString();
    }
}
