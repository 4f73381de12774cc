package io.vcpubal.host.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one parser of a VM spec, {@code key=value,...}, for {@code run --vm}, {@code vm =} lines of host.conf
 * and {@code plan --vm}: every key known for its use and given once, required keys present, numbers decimal
 * and in range, names as {@link VmConfig} allows. Errors name the key; callers add where the spec came from.
 */
public final class VmSpecParser {
    /** Far above any QEMU's vCPU limit; keeps a typo from asking the planner for a billion vCPUs. */
    public static final int MAX_VCPUS = 8192;

    /** Where a spec is used decides which keys it may and must have. */
    public enum Use {
        /** A VM the daemon manages through QMP. */
        RUN(List.of("name", "weight", "qmp", "agent", "pidfile", "max-vcpus", "min-vcpus", "balloon"), List.of("name", "weight", "qmp")),
        /** A VM that only exists in a {@code plan}. */
        PLAN(List.of("name", "weight", "max-vcpus", "min-vcpus"), List.of("name", "weight", "max-vcpus"));

        final List<String> keys;
        final List<String> required;

        Use(List<String> keys, List<String> required) {
            this.keys = keys;
            this.required = required;
        }
    }

    private VmSpecParser() {}

    /** @throws IllegalArgumentException naming the key at fault */
    public static VmConfig parse(String text, Use use) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + part + "' is not key=value (keys: " + String.join(", ", use.keys) + ")");
            }
            String key = part.substring(0, eq);
            if (!use.keys.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (known: " + String.join(", ", use.keys) + ")");
            }
            if (kv.put(key, part.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("key '" + key + "' is given twice");
            }
        }
        String name = required(kv, "name");
        if (!VmConfig.validName(name)) {
            throw new IllegalArgumentException("name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        for (String key : use.required) {
            required(kv, key);
        }
        int weight = number(kv, "weight", 1, VmConfig.MAX_WEIGHT);
        int max = kv.containsKey("max-vcpus") ? number(kv, "max-vcpus", 1, MAX_VCPUS) : 0;
        int min = kv.containsKey("min-vcpus") ? number(kv, "min-vcpus", 0, max > 0 ? max : MAX_VCPUS) : 0;
        BalloonChoice balloon = kv.containsKey("balloon") ? BalloonChoice.parse(kv.get("balloon")) : BalloonChoice.HOTPLUG;
        return new VmConfig(name, weight, path(kv, "qmp"), path(kv, "agent"), path(kv, "pidfile"), max, min, balloon);
    }

    private static Path path(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            return null;
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty");
        }
        return Path.of(v);
    }

    private static String required(Map<String, String> kv, String key) {
        String value = kv.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key + "=");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty");
        }
        return value;
    }

    private static int number(Map<String, String> kv, String key, int min, int max) {
        String value = required(kv, key);
        boolean digits = value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
            throw new IllegalArgumentException(key + "='" + value + "' must be a whole number from " + min + " to " + max
                    + (key.equals("min-vcpus") ? " (max-vcpus)" : ""));
        }
        return Integer.parseInt(value);
    }
}
