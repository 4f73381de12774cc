package io.vcpubal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CpuSetTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("", new int[] {}, ""),
                Arguments.of("\n", new int[] {}, ""),
                Arguments.of("0", new int[] {0}, "0"),
                Arguments.of("0-3,5,7-8", new int[] {0, 1, 2, 3, 5, 7, 8}, "0-3,5,7-8"),
                Arguments.of("0-1\n", new int[] {0, 1}, "0-1"),
                Arguments.of("5,0-3", new int[] {0, 1, 2, 3, 5}, "0-3,5"),
                Arguments.of("3,4", new int[] {3, 4}, "3-4"),
                Arguments.of("2-2", new int[] {2}, "2"),
                Arguments.of("0-3,4-7", new int[] {0, 1, 2, 3, 4, 5, 6, 7}, "0-7"),
                Arguments.of("007", new int[] {7}, "7"),
                Arguments.of("65535", new int[] {65535}, "65535"));
    }

    @ParameterizedTest(name = "\"{0}\" -> {2}")
    @MethodSource("valid")
    void parsesAndFormatsCanonically(String text, int[] cpus, String canonical) {
        CpuSet set = CpuSet.parse(text);
        assertArrayEquals(cpus, set.toArray());
        assertEquals(canonical, set.toString());
        assertEquals(set, CpuSet.parse(set.toString()), "canonical form parses back to the same set");
        assertEquals(cpus.length, set.size());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("0,,1", "empty item at position 3"),
                Arguments.of(",1", "empty item at position 1"),
                Arguments.of("1,", "empty item at position 3"),
                Arguments.of("3-1", "descending range \"3-1\""),
                Arguments.of("0-", "missing number at position 3"),
                Arguments.of("-2", "missing number at position 1"),
                Arguments.of("0, 1", "unexpected ' ' at position 3"),
                Arguments.of("a", "unexpected 'a' at position 1"),
                Arguments.of("1-2-3", "unexpected '-' at position 4"),
                Arguments.of("0-15:2/4", "unexpected ':'"),
                Arguments.of("0-3,2", "CPU 2 is listed twice"),
                Arguments.of("4,0-7", "CPU 4 is listed twice"),
                Arguments.of("65536", "above the limit 65535"),
                Arguments.of("0-99999999999", "above the limit 65535"));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("malformed")
    void rejectsMalformedInputWithClearMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + text + "\""), "message quotes the input: " + e.getMessage());
        assertTrue(CpuSet.tryParse(text).isEmpty(), "tryParse is the non-throwing twin");
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(null));
    }

    @Test
    void setOperations() {
        CpuSet a = CpuSet.parse("0-5");
        CpuSet b = CpuSet.parse("4-9");
        assertEquals("0-9", a.union(b).toString());
        assertEquals("4-5", a.intersection(b).toString());
        assertEquals("0-3", a.minus(b).toString());
        assertTrue(a.intersects(b));
        assertFalse(a.intersects(CpuSet.parse("6-7")));
        assertTrue(CpuSet.parse("1,3").isSubsetOf(a));
        assertFalse(b.isSubsetOf(a));
        assertTrue(CpuSet.empty().isSubsetOf(a));
        assertEquals(4, b.first());
        assertTrue(a.contains(0));
        assertFalse(a.contains(6));
        assertFalse(a.contains(-1));
        assertEquals(CpuSet.range(2, 4), CpuSet.of(4, 3, 2));
        assertThrows(IllegalStateException.class, () -> CpuSet.empty().first());
        assertThrows(IllegalArgumentException.class, () -> CpuSet.of(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuSet.range(3, 2));
    }

    @Test
    void isImmutable() {
        CpuSet set = CpuSet.parse("0-3");
        set.toBitSet().clear();
        assertEquals("0-3", set.toString());
        java.util.BitSet bits = new java.util.BitSet();
        bits.set(1);
        CpuSet copy = CpuSet.of(bits);
        bits.set(2);
        assertEquals("1", copy.toString());
    }
}
