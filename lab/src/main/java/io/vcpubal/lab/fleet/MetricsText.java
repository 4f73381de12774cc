package io.vcpubal.lab.fleet;

import java.util.List;

/**
 * The few numbers the fleet reads from the daemon's Prometheus text exposition: a histogram's {@code _sum} and
 * {@code _count}, and the sum of a series over all its label sets. Strict about what it reads, silent about
 * the rest (comments, other series).
 */
public final class MetricsText {
    private final List<String> lines;

    public MetricsText(String exposition) {
        this.lines = exposition.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    /** The sum of every sample of {@code name}, whatever its labels; 0 when there is none. */
    public double sum(String name) {
        double total = 0;
        for (String line : lines) {
            int labels = line.indexOf('{');
            int nameEnd = labels >= 0 ? labels : line.indexOf(' ');
            if (nameEnd < 0 || !line.substring(0, nameEnd).equals(name)) {
                continue;
            }
            // the value follows the name or the closing brace; an optional timestamp may follow it
            String rest = labels >= 0 ? line.substring(line.lastIndexOf('}') + 1) : line.substring(nameEnd);
            total += Double.parseDouble(rest.trim().split(" +")[0]);
        }
        return total;
    }

    /** Mean of a histogram's observations between two scrapes, in its unit; NaN without observations. */
    public static double meanBetween(MetricsText before, MetricsText after, String histogram) {
        double count = after.sum(histogram + "_count") - before.sum(histogram + "_count");
        return count == 0 ? Double.NaN : (after.sum(histogram + "_sum") - before.sum(histogram + "_sum")) / count;
    }
}
