package io.vcpubal.host.backend.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** QMP's line framing without a socket: the peer's bytes arrive in the fragments each case names. */
class BoundedLineReaderTest {
    record Case(String name, List<String> fragments, List<String> lines) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one line in one read", List.of("{\"a\":1}\n"), List.of("{\"a\":1}")),
                new Case("one line split over reads", List.of("{\"a\"", ":1", "}\n"), List.of("{\"a\":1}")),
                new Case("two lines in one read", List.of("a\nb\n"), List.of("a", "b")),
                new Case("a line ending in the next read", List.of("a\nb", "c\n"), List.of("a", "bc")),
                new Case("UTF-8 split inside a character", List.of("\"\u00e9", "t\u00e9\"\n"), List.of("\"\u00e9t\u00e9\"")),
                new Case("an empty line", List.of("\n"), List.of("")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void splitsLines(Case c) throws IOException {
        FragmentSource in = new FragmentSource(c.fragments());
        BoundedLineReader r = new BoundedLineReader(64);
        for (String line : c.lines()) {
            assertEquals(line, r.readLine(in));
        }
        assertThrows(EOFException.class, () -> r.readLine(in), "nothing left");
    }

    @Test
    void aLineOfExactlyTheBoundIsAccepted() throws IOException {
        String line = "x".repeat(100);
        assertEquals(line, new BoundedLineReader(100).readLine(new FragmentSource(List.of(line + "\n"))));
    }

    @Test
    void aLineOneByteOverTheBoundIsRefused() {
        BoundedLineReader r = new BoundedLineReader(100);
        IOException e = assertThrows(IOException.class,
                () -> r.readLine(new FragmentSource(List.of("x".repeat(101) + "\n"))));
        assertEquals("line longer than 100 bytes", e.getMessage());
    }

    @Test
    void anEndlessLineIsRefusedAfterReadingOneByteOverTheBound() {
        long[] offered = {0};
        BoundedLineReader r = new BoundedLineReader(10_000);
        IOException e = assertThrows(IOException.class, () -> r.readLine((b, off, len) -> {
            Arrays.fill(b, off, off + len, (byte) 'x');
            offered[0] += len;
            return len;
        }));
        assertTrue(e.getMessage().contains("longer than 10000"), e.getMessage());
        assertEquals(10_001, offered[0], "never asks for more than the bound and its newline");
    }

    @Test
    void theConnectionClosingMidLineSaysSo() {
        EOFException e = assertThrows(EOFException.class,
                () -> new BoundedLineReader(64).readLine(new FragmentSource(List.of("{\"ret"))));
        assertEquals("connection closed mid-line", e.getMessage());
    }

    /** Hands out each fragment in one read (or less, if the reader asks for less), then EOF. */
    private static final class FragmentSource implements BoundedLineReader.Source {
        private final Deque<byte[]> fragments = new ArrayDeque<>();

        FragmentSource(List<String> parts) {
            parts.forEach(p -> fragments.add(p.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public int read(byte[] b, int off, int len) {
            byte[] next = fragments.poll();
            if (next == null) {
                return -1;
            }
            int n = Math.min(len, next.length);
            System.arraycopy(next, 0, b, off, n);
            if (n < next.length) {
                fragments.push(Arrays.copyOfRange(next, n, next.length));
            }
            return n;
        }
    }
}
