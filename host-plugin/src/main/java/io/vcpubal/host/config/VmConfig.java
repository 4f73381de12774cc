package io.vcpubal.host.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One VM as the operator declares it: {@code name=NAME,weight=W,qmp=PATH,agent=PATH[,max-vcpus=N][,min-vcpus=N]}.
 * The weight comes only from the operator, never from the guest.
 *
 * @param maxVcpus 0 = as many as QEMU reports
 * @param agentSocket null = no agent link (the VM is still pinned)
 */
public record VmConfig(String name, int weight, Path qmpSocket, Path agentSocket, int maxVcpus, int minVcpus) {
    /** Largest weight, as Xen's credit scheduler allows. */
    public static final int MAX_WEIGHT = 65_535;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public VmConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("VM name '" + name
                    + "' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        checkWeight(weight);
        Objects.requireNonNull(qmpSocket, "qmp socket of VM " + name);
        if (maxVcpus < 0 || minVcpus < 0 || (maxVcpus > 0 && minVcpus > maxVcpus)) {
            throw new IllegalArgumentException("VM " + name + ": need 0 <= min-vcpus <= max-vcpus, got min "
                    + minVcpus + ", max " + maxVcpus);
        }
    }

    public static void checkWeight(int weight) {
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1.." + MAX_WEIGHT + ", got " + weight);
        }
    }

    public VmConfig withWeight(int newWeight) {
        return new VmConfig(name, newWeight, qmpSocket, agentSocket, maxVcpus, minVcpus);
    }

    /** Parses the {@code key=value,...} form used by {@code --vm} and by {@code vm =} lines of the config. */
    public static VmConfig parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + part + "' in VM spec '" + text + "' is not key=value");
            }
            String key = part.substring(0, eq).trim();
            if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("key '" + key + "' given twice in VM spec '" + text + "'");
            }
        }
        for (String key : kv.keySet()) {
            if (!key.matches("name|weight|qmp|agent|max-vcpus|min-vcpus")) {
                throw new IllegalArgumentException("unknown key '" + key + "' in VM spec '" + text
                        + "' (known: name, weight, qmp, agent, max-vcpus, min-vcpus)");
            }
        }
        String name = required(kv, "name", text);
        String agent = kv.get("agent");
        return new VmConfig(name,
                integer(kv, "weight", required(kv, "weight", text), text),
                Path.of(required(kv, "qmp", text)),
                agent == null || agent.isEmpty() ? null : Path.of(agent),
                kv.containsKey("max-vcpus") ? integer(kv, "max-vcpus", kv.get("max-vcpus"), text) : 0,
                kv.containsKey("min-vcpus") ? integer(kv, "min-vcpus", kv.get("min-vcpus"), text) : 0);
    }

    private static String required(Map<String, String> kv, String key, String text) {
        String v = kv.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("VM spec '" + text + "' lacks " + key + "=");
        }
        return v;
    }

    private static int integer(Map<String, String> kv, String key, String value, String text) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "='" + value + "' in VM spec '" + text + "' is not a whole number");
        }
    }
}
