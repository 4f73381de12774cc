package io.vcpubal.guest.policy;

/**
 * Shell-style globs with {@code *} (any run, also empty) and {@code ?} (one character); every other
 * character matches itself, there is no escaping, no character class and no regex.
 *
 * <p>The match splits the glob at its stars: the first piece must match the start of the text, the last the
 * end, and each piece between is taken at its leftmost place after the previous one. Taking the leftmost
 * place is never wrong (a later place leaves less text for the rest), so nothing is retried: the cost is at
 * most |glob| × |text| character comparisons, never the exponential blow-up of a backtracking matcher (a
 * host rule like {@code *a*a*a*a*b} against a 4 KiB command line stays within a million steps).
 */
public final class Glob {
    private Glob() {}

    public static boolean matches(String glob, String text) {
        int star = glob.indexOf('*');
        if (star < 0) {
            return glob.length() == text.length() && pieceAt(glob, 0, glob.length(), text, 0);
        }
        int lastStar = glob.lastIndexOf('*');
        int headLength = star;
        int tailLength = glob.length() - lastStar - 1;
        if (headLength + tailLength > text.length()
                || !pieceAt(glob, 0, headLength, text, 0)
                || !pieceAt(glob, lastStar + 1, glob.length(), text, text.length() - tailLength)) {
            return false;
        }
        // The middle pieces, leftmost first, within the text between head and tail.
        int from = headLength;
        int end = text.length() - tailLength;
        int p = star + 1;
        while (p < lastStar) {
            int next = glob.indexOf('*', p);
            int length = next - p;
            if (length > 0) {
                int at = find(glob, p, next, text, from, end);
                if (at < 0) {
                    return false;
                }
                from = at + length;
            }
            p = next + 1;
        }
        return true;
    }

    /** Whether glob[from, to) (no stars) matches the text at {@code at}. */
    private static boolean pieceAt(String glob, int from, int to, String text, int at) {
        for (int i = from; i < to; i++) {
            char g = glob.charAt(i);
            if (g != '?' && g != text.charAt(at + i - from)) {
                return false;
            }
        }
        return true;
    }

    /** The leftmost place in text[from, end) where glob[pFrom, pTo) matches, or -1. */
    private static int find(String glob, int pFrom, int pTo, String text, int from, int end) {
        int length = pTo - pFrom;
        for (int at = from; at + length <= end; at++) {
            if (pieceAt(glob, pFrom, pTo, text, at)) {
                return at;
            }
        }
        return -1;
    }
}
