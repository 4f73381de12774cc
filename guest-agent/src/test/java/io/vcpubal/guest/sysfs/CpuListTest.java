package io.vcpubal.guest.sysfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CpuListTest {

    record Valid(String text, int[] cpus, String canonical) {
    }

    static Stream<Valid> valid() {
        return Stream.of(
                new Valid("", new int[] {}, ""),
                new Valid("\n", new int[] {}, ""),
                new Valid("0", new int[] {0}, "0"),
                new Valid("0-3\n", new int[] {0, 1, 2, 3}, "0-3"),
                new Valid("0-3,5,7-8", new int[] {0, 1, 2, 3, 5, 7, 8}, "0-3,5,7-8"),
                new Valid("7,8", new int[] {7, 8}, "7-8"),
                new Valid("5,0-3", new int[] {0, 1, 2, 3, 5}, "0-3,5"),
                new Valid("0-3,2", new int[] {0, 1, 2, 3}, "0-3"),
                new Valid("4-4", new int[] {4}, "4"),
                new Valid("8191", new int[] {8191}, "8191"),
                new Valid(" 1,3 ", new int[] {1, 3}, "1,3"));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesValidLists(Valid c) {
        CpuList list = CpuList.parse(c.text());
        assertArrayEquals(c.cpus(), list.toArray());
        assertEquals(c.canonical(), list.format());
        assertEquals(list, CpuList.parse(list.format()), "format round-trips");
    }

    record Invalid(String text, String messagePart) {
    }

    static Stream<Invalid> invalid() {
        return Stream.of(
                new Invalid("3-1", "range '3-1' is descending"),
                new Invalid("a", "'a' is not a CPU number"),
                new Invalid("1,,2", "empty element"),
                new Invalid(",1", "empty element"),
                new Invalid("1,", "empty element"),
                new Invalid("-1", "'-1' is negative"),
                new Invalid("1--2", "negative range end"),
                new Invalid("1-", "range lacks an end"),
                new Invalid("8192", "CPU 8192 is above the maximum 8191"),
                new Invalid("99999999999999999999", "above the maximum 8191"),
                new Invalid("0-9000", "CPU 9000 is above the maximum"),
                new Invalid("+1", "'+1' is not a CPU number"),
                new Invalid("0-7:2/4", "is not a CPU number"),
                new Invalid("1 2", "'1 2' is not a CPU number"),
                new Invalid("0x1", "is not a CPU number"),
                new Invalid("1-2-3", "'2-3' is not a CPU number"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsMalformedListsWithAClearMessage(Invalid c) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(c.text()));
        assertTrue(e.getMessage().contains(c.messagePart()), () -> "message was: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid cpulist \""), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse(null));
    }

    @Test
    void parseOrDefaultNeverThrows() {
        assertEquals(CpuList.of(9), CpuList.parseOrDefault("garbage", CpuList.of(9)));
        assertEquals(CpuList.range(0, 1), CpuList.parseOrDefault("0-1\n", CpuList.EMPTY));
    }

    @Test
    void setOperations() {
        CpuList a = CpuList.parse("0-5");
        CpuList b = CpuList.parse("4-7");
        assertEquals("0-7", a.union(b).format());
        assertEquals("0-3", a.minus(b).format());
        assertEquals("4-5", a.intersect(b).format());
        assertEquals("0-6", a.with(6).format());
        assertEquals("0-1,3-5", a.without(2).format());
        assertEquals(0, a.first());
        assertEquals(5, a.last());
        assertTrue(a.containsAll(CpuList.of(1, 5)));
        assertFalse(a.containsAll(b));
        assertFalse(a.contains(6));
        assertEquals(6, a.size());
    }

    @Test
    void factoriesValidateNumbers() {
        assertThrows(IllegalArgumentException.class, () -> CpuList.of(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuList.of(8192));
        assertThrows(IllegalArgumentException.class, () -> CpuList.range(3, 1));
        assertEquals(CpuList.parse("1,3"), CpuList.of(3, 1, 3));
    }
}
