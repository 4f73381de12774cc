package io.vcpubal.guest.sysfs;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.stream.IntStream;

/**
 * An immutable, sorted set of CPU numbers written in the kernel's cpulist format ({@code "0-3,5,7-8"}),
 * as in {@code /sys/devices/system/cpu/online} and {@code cpuset.cpus}.
 *
 * <p>{@link #parse} is strict because cpulists arrive in commands and configuration: it accepts decimal
 * CPU numbers and ascending ranges separated by commas, an empty string (the empty set) and surrounding
 * whitespace (the trailing newline of a sysfs file). It rejects empty elements ({@code "1,,2"}), descending
 * ranges ({@code "3-1"}), signs, non-digits, the kernel's stride syntax ({@code "0-7:2/4"}) and numbers
 * above {@link #MAX_CPU}, each with a message that quotes the offending element. Overlapping or unsorted
 * elements ({@code "3,0-3"}) are unambiguous and are accepted.
 */
public final class CpuList {

    /** Highest CPU number accepted: the kernel's largest NR_CPUS is 8192. */
    public static final int MAX_CPU = 8191;

    public static final CpuList EMPTY = new CpuList(new int[0]);

    /** Sorted, distinct. */
    private final int[] cpus;

    private CpuList(int[] sortedDistinct) {
        this.cpus = sortedDistinct;
    }

    /**
     * Parses a cpulist strictly.
     *
     * @throws IllegalArgumentException with a message naming the bad element
     */
    public static CpuList parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("cpulist is missing");
        }
        String body = text.strip();
        if (body.isEmpty()) {
            return EMPTY;
        }
        BitSet set = new BitSet();
        for (String element : body.split(",", -1)) {
            if (element.isEmpty()) {
                throw invalid(text, "empty element (stray comma)");
            }
            int dash = element.indexOf('-');
            if (dash == 0) {
                throw invalid(text, "'" + element + "' is negative or lacks a range start");
            }
            if (dash < 0) {
                set.set(cpuNumber(text, element));
            } else {
                int from = cpuNumber(text, element.substring(0, dash));
                String toText = element.substring(dash + 1);
                if (toText.startsWith("-")) {
                    throw invalid(text, "'" + element + "' has a negative range end");
                }
                int to = cpuNumber(text, toText);
                if (to < from) {
                    throw invalid(text, "range '" + element + "' is descending");
                }
                set.set(from, to + 1);
            }
        }
        return new CpuList(set.stream().toArray());
    }

    /** Parses a cpulist the kernel wrote; returns {@code fallback} instead of throwing. */
    public static CpuList parseOrDefault(String text, CpuList fallback) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static int cpuNumber(String text, String digits) {
        if (digits.isEmpty()) {
            throw invalid(text, "range lacks an end");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid(text, "'" + digits + "' is not a CPU number (only digits, ranges 'a-b' and commas)");
            }
        }
        // More than 5 digits cannot be <= MAX_CPU and might overflow an int.
        if (digits.length() > 5 || Integer.parseInt(digits) > MAX_CPU) {
            throw invalid(text, "CPU " + digits + " is above the maximum " + MAX_CPU);
        }
        return Integer.parseInt(digits);
    }

    private static IllegalArgumentException invalid(String text, String why) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return new IllegalArgumentException("invalid cpulist \"" + shown.strip() + "\": " + why);
    }

    /** @throws IllegalArgumentException if a number is negative or above {@link #MAX_CPU} */
    public static CpuList of(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set(checked(cpu));
        }
        return new CpuList(set.stream().toArray());
    }

    public static CpuList of(Collection<Integer> cpus) {
        return of(cpus.stream().mapToInt(Integer::intValue).toArray());
    }

    /** CPUs {@code from} through {@code to}, both inclusive. */
    public static CpuList range(int from, int to) {
        checked(from);
        checked(to);
        if (to < from) {
            throw new IllegalArgumentException("range " + from + "-" + to + " is descending");
        }
        return new CpuList(IntStream.rangeClosed(from, to).toArray());
    }

    private static int checked(int cpu) {
        if (cpu < 0 || cpu > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + cpu + " is outside 0-" + MAX_CPU);
        }
        return cpu;
    }

    public int size() {
        return cpus.length;
    }

    public boolean isEmpty() {
        return cpus.length == 0;
    }

    public boolean contains(int cpu) {
        return Arrays.binarySearch(cpus, cpu) >= 0;
    }

    public boolean containsAll(CpuList other) {
        return other.stream().allMatch(this::contains);
    }

    /** Ascending. */
    public IntStream stream() {
        return Arrays.stream(cpus);
    }

    /** Ascending; a copy. */
    public int[] toArray() {
        return cpus.clone();
    }

    /** @throws java.util.NoSuchElementException if empty */
    public int first() {
        if (cpus.length == 0) {
            throw new java.util.NoSuchElementException("empty cpulist");
        }
        return cpus[0];
    }

    /** @throws java.util.NoSuchElementException if empty */
    public int last() {
        if (cpus.length == 0) {
            throw new java.util.NoSuchElementException("empty cpulist");
        }
        return cpus[cpus.length - 1];
    }

    public CpuList union(CpuList other) {
        return new CpuList(IntStream.concat(stream(), other.stream()).sorted().distinct().toArray());
    }

    public CpuList minus(CpuList other) {
        return new CpuList(stream().filter(c -> !other.contains(c)).toArray());
    }

    public CpuList intersect(CpuList other) {
        return new CpuList(stream().filter(other::contains).toArray());
    }

    public CpuList with(int cpu) {
        return union(of(cpu));
    }

    public CpuList without(int cpu) {
        return new CpuList(stream().filter(c -> c != cpu).toArray());
    }

    /** The canonical cpulist text, e.g. {@code "0-3,5,7-8"}; empty string for the empty set. */
    public String format() {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < cpus.length) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(cpus[i]);
            if (j > i) {
                out.append('-').append(cpus[j]);
            }
            i = j + 1;
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return format();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuList && Arrays.equals(cpus, ((CpuList) o).cpus);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cpus);
    }
}
