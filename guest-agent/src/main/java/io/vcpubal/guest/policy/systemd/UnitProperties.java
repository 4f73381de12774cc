package io.vcpubal.guest.policy.systemd;

import io.vcpubal.guest.policy.ClassSpec;
import io.vcpubal.protocol.Bounds;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code systemctl show} says of a unit that a class names, and the assignments {@code set-property}
 * takes: the class's settings, and the unit's own ones that put it back as it was.
 *
 * @param cpuWeight CPUWeight as shown: a number, {@code idle}, or {@code [not set]}
 * @param cpuQuotaPerSec CPUQuotaPerSecUSec as shown: a time span such as {@code 200ms}, or {@code infinity}
 * @param controlGroup the unit's cgroup path, empty while it is not running
 */
public record UnitProperties(String unit, String loadState, String slice, String controlGroup, String cpuWeight,
                             String cpuQuotaPerSec) {
    /** The unit of the property that holds CPUWeight when it is not set (systemd before 252 shows the number). */
    private static final String UNSET_WEIGHT = "18446744073709551615";

    /** {@code systemctl show} of the properties this class reads, for one or more units. */
    public static List<String> showArgs(List<String> units) {
        List<String> args = new ArrayList<>(List.of("show",
                "--property=LoadState,Slice,ControlGroup,CPUWeight,CPUQuotaPerSecUSec", "--"));
        args.addAll(units);
        return args;
    }

    /**
     * Parses show's output for several units: one block of lines per unit, in the order asked, separated by
     * an empty line.
     *
     * @throws IllegalArgumentException when the blocks are not one per unit
     */
    public static List<UnitProperties> parseAll(List<String> units, String output) {
        List<String> blocks = new ArrayList<>();
        for (String block : output.split("\n\\s*\n")) {
            if (!block.isBlank()) {
                blocks.add(block);
            }
        }
        if (blocks.size() != units.size()) {
            throw new IllegalArgumentException("systemctl show printed " + blocks.size() + " blocks for " + units.size()
                    + " units");
        }
        List<UnitProperties> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            out.add(parse(units.get(i), blocks.get(i)));
        }
        return out;
    }

    /** Parses show's {@code Key=value} lines; a property it did not print reads as empty. */
    public static UnitProperties parse(String unit, String output) {
        Map<String, String> kv = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return new UnitProperties(unit, kv.getOrDefault("LoadState", ""), kv.getOrDefault("Slice", ""),
                kv.getOrDefault("ControlGroup", ""), kv.getOrDefault("CPUWeight", ""),
                kv.getOrDefault("CPUQuotaPerSecUSec", ""));
    }

    /** The assignments that give the unit a class's settings (CPUQuota= in percent of one CPU, as systemd has it). */
    public static List<String> assignments(ClassSpec spec) {
        return List.of("CPUWeight=" + (spec.idle() ? "idle" : Integer.toString(spec.cpuWeight())),
                "CPUQuota=" + (spec.quotaUs() == 0 ? "" : percent(spec.quotaUs() * 1_000_000 / Bounds.CPU_MAX_PERIOD_US)));
    }

    /** The assignments that put back what the unit had before (an empty one resets a property to unset). */
    public List<String> restoreAssignments() {
        String w = cpuWeight.equals("[not set]") || cpuWeight.equals(UNSET_WEIGHT) ? "" : cpuWeight;
        String q = cpuQuotaPerSec.equals("infinity") || cpuQuotaPerSec.isEmpty() ? ""
                : percent(TimeSpan.parseMicros(cpuQuotaPerSec));
        return List.of("CPUWeight=" + w, "CPUQuota=" + q);
    }

    /** Whether systemd knows the unit (a file, or a transient unit): set-property fails on one it does not. */
    public boolean loaded() {
        return loadState.equals("loaded");
    }

    /**
     * The unit's cgroup path: the one systemd reports while it runs, else the one it will get, from its slice
     * ({@code a-b.slice} lives in {@code /a.slice/a-b.slice}).
     */
    public String cgroupPath() {
        if (!controlGroup.isEmpty()) {
            return controlGroup;
        }
        if (unit.endsWith(".slice")) {
            return slicePath(unit);
        }
        String parent = slicePath(slice.isEmpty() ? "system.slice" : slice);
        return (parent.equals("/") ? "" : parent) + "/" + unit;
    }

    static String slicePath(String slice) {
        if (slice.equals("-.slice")) {
            return "/";
        }
        String name = slice.substring(0, slice.length() - ".slice".length());
        StringBuilder path = new StringBuilder();
        int dash = -1;
        while ((dash = name.indexOf('-', dash + 1)) >= 0) {
            path.append('/').append(name, 0, dash).append(".slice");
        }
        return path.append('/').append(slice).toString();
    }

    /** CPU time per second in microseconds as CPUQuota= takes it: percent of one CPU, at most two decimals. */
    static String percent(long microsPerSecond) {
        BigDecimal p = BigDecimal.valueOf(microsPerSecond).movePointLeft(4).stripTrailingZeros();
        if (p.scale() > 2) {
            p = p.setScale(2, java.math.RoundingMode.UP).stripTrailingZeros();
        }
        return p.toPlainString().toLowerCase(Locale.ROOT) + "%";
    }
}
