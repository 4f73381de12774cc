package io.vcpubal.host.policy;

import io.vcpubal.protocol.Bounds;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One process class as the operator declares it in {@code host.conf}:
 * {@code class = name=NAME[,vm=GLOB][,comm=GLOB][,cmdline=GLOB][,cgroup=PATH][,unit=UNIT][,importance=high|normal|low][,shares=N]}.
 * Only the host's configuration makes classes: a guest can neither choose nor change its class, it only reports
 * what each class used.
 *
 * @param vmGlob  which VMs the class exists in (glob on the VM name, {@code *} and {@code ?}; default all)
 * @param comm    glob on the process's command name (empty = any)
 * @param cmdline glob on its command line, arguments joined by single spaces (empty = any)
 * @param cgroup  prefix of its cgroup v2 path in the guest (empty = any)
 * @param unit    systemd unit it runs in (empty = any); at least one of the four rule fields is set
 * @param shares  its proportional share, on the same scale as VM weights: unmatched processes of a VM are a class
 *                of shares = the VM's weight
 */
public record ClassConfig(String name, String vmGlob, String comm, String cmdline, String cgroup, String unit,
                          Importance importance, int shares) {
    public static final int DEFAULT_SHARES = 256;
    public static final int MAX_SHARES = 65_535;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1," + Bounds.MAX_CLASS_NAME_CHARS + "}");

    public ClassConfig {
        Objects.requireNonNull(importance, "importance");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("class name '" + name + "' must be 1-" + Bounds.MAX_CLASS_NAME_CHARS
                    + " characters of a-z, 0-9, '_' or '-'");
        }
        vmGlob = vmGlob == null || vmGlob.isEmpty() ? "*" : vmGlob;
        comm = nonNull(comm);
        cmdline = nonNull(cmdline);
        cgroup = nonNull(cgroup);
        unit = nonNull(unit);
        if (comm.isEmpty() && cmdline.isEmpty() && cgroup.isEmpty() && unit.isEmpty()) {
            throw new IllegalArgumentException("class " + name + " has no rule: give comm=, cmdline=, cgroup= or unit=");
        }
        bound(name, "comm", comm, Bounds.MAX_COMM_GLOB_CHARS);
        bound(name, "cmdline", cmdline, Bounds.MAX_RULE_CHARS);
        bound(name, "cgroup", cgroup, Bounds.MAX_RULE_CHARS);
        bound(name, "unit", unit, Bounds.MAX_RULE_CHARS);
        if (!cgroup.isEmpty() && !cgroup.startsWith("/")) {
            throw new IllegalArgumentException("class " + name + ": cgroup= must be an absolute cgroup path, got '" + cgroup + "'");
        }
        if (shares < 1 || shares > MAX_SHARES) {
            throw new IllegalArgumentException("class " + name + ": shares must be 1.." + MAX_SHARES + ", got " + shares);
        }
    }

    /** Whether the class exists in VM {@code vm}. */
    public boolean appliesTo(String vm) {
        return Glob.matches(vmGlob, vm);
    }

    /** A {@code class =} line's value; errors name the spec. */
    public static ClassConfig parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + p + "' in class spec '" + text + "'");
            }
            String key = p.substring(0, eq).trim();
            if (kv.put(key, p.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException(key + " given twice in class spec '" + text + "'");
            }
        }
        try {
            for (String key : kv.keySet()) {
                if (!java.util.Set.of("name", "vm", "comm", "cmdline", "cgroup", "unit", "importance", "shares").contains(key)) {
                    throw new IllegalArgumentException("unknown key '" + key
                            + "' (known: name, vm, comm, cmdline, cgroup, unit, importance, shares)");
                }
            }
            int shares;
            try {
                shares = Integer.parseInt(kv.getOrDefault("shares", "" + DEFAULT_SHARES));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shares '" + kv.get("shares") + "' is not a whole number");
            }
            return new ClassConfig(kv.get("name"), kv.get("vm"), kv.get("comm"), kv.get("cmdline"), kv.get("cgroup"),
                    kv.get("unit"), Importance.parse(kv.getOrDefault("importance", "normal")), shares);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in class spec '" + text + "'");
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static void bound(String name, String key, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException("class " + name + ": " + key + "= longer than " + max + " characters");
        }
    }
}
