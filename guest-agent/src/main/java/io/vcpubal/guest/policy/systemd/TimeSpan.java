package io.vcpubal.guest.policy.systemd;

import java.math.BigDecimal;
import java.util.Map;

/**
 * systemd's time spans as {@code systemctl show} prints them ({@code 200ms}, {@code 1.500000s},
 * {@code 1min 30s}): space-separated numbers, each with a unit.
 */
final class TimeSpan {
    private static final Map<String, Long> MICROS = Map.ofEntries(Map.entry("us", 1L), Map.entry("ms", 1_000L),
            Map.entry("s", 1_000_000L), Map.entry("min", 60_000_000L), Map.entry("h", 3_600_000_000L),
            Map.entry("d", 86_400_000_000L), Map.entry("w", 604_800_000_000L));

    private TimeSpan() {}

    /** Microseconds; throws IllegalArgumentException for what is not a span. */
    static long parseMicros(String span) {
        long total = 0;
        String[] parts = span.strip().split("\\s+");
        for (String part : parts) {
            int unit = 0;
            while (unit < part.length() && (Character.isDigit(part.charAt(unit)) || part.charAt(unit) == '.')) {
                unit++;
            }
            Long per = MICROS.get(part.substring(unit));
            if (unit == 0 || per == null) {
                throw new IllegalArgumentException("not a systemd time span: '" + span + "'");
            }
            total += new BigDecimal(part.substring(0, unit)).multiply(BigDecimal.valueOf(per)).longValue();
        }
        return total;
    }
}
