package io.vcpubal.guest.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reading and number parsing shared by the /proc parsers; nothing here throws. */
final class ProcFiles {

    private ProcFiles() {
    }

    /**
     * The file's lines, or empty when it is absent or unreadable: a missing file (no PSI, no LOCK_STAT, an
     * exited process) and an unreadable one (PSI disabled at boot answers EOPNOTSUPP) mean "not available".
     */
    static Optional<List<String>> lines(Path file) {
        try {
            return Optional.of(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: MalformedInputException is an IOException, but be safe with odd bytes too.
            return Optional.empty();
        }
    }

    static long parseLong(String text, long fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return parseUnsignedOrFallback(text, fallback);
        }
    }

    // Kernel counters are u64; one beyond Long.MAX_VALUE is clamped rather than dropped.
    private static long parseUnsignedOrFallback(String text, long fallback) {
        try {
            Long.parseUnsignedLong(text);
            return Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static double parseDouble(String text, double fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? value : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Splits on runs of spaces and tabs. */
    static String[] fields(String line) {
        String trimmed = line.strip();
        return trimmed.isEmpty() ? new String[0] : trimmed.split("[ \t]+");
    }

    /** The value after "key:" in a "Key:\tvalue" line, or null. */
    static String valueOf(String line, String key) {
        if (line.length() > key.length() && line.startsWith(key) && line.charAt(key.length()) == ':') {
            return line.substring(key.length() + 1).strip();
        }
        return null;
    }
}
