package io.vcpubal.guest.policy;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a SetProcessClasses against the protocol's bounds before anything is written: a request is taken
 * whole or refused whole, so every check is here and none in the kernel-writing code.
 */
public final class ClassSpecs {
    /**
     * What a class with cpu_weight 0 (unset on the wire) gets: the kernel's default, the weight of the rest
     * of the guest. Refusing 0 would make every host spell out 100; reading it as "unset" is what proto3
     * gives us anyway, and a weight of 0 does not exist in cgroup v2.
     */
    public static final int DEFAULT_WEIGHT = 100;
    static final long MAX_QUOTA_US = (long) Bounds.CPU_MAX_PERIOD_US * (Bounds.MAX_CPU + 1);
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1," + Bounds.MAX_CLASS_NAME_CHARS + "}");

    /** A request that passed: its classes in order, and its lease (0 for an empty set). */
    public record Validated(List<ClassSpec> classes, long leaseMs) {}

    /** Why a request is refused; the message goes to the host as is. */
    public static final class Refusal extends Exception {
        public Refusal(String message) {
            super(message);
        }
    }

    private ClassSpecs() {}

    public static Validated validate(SetProcessClasses request) throws Refusal {
        if (request.getClassesCount() > Bounds.MAX_CLASSES) {
            throw new Refusal(request.getClassesCount() + " classes, at most " + Bounds.MAX_CLASSES);
        }
        List<ClassSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ProcessClass c : request.getClassesList()) {
            ClassSpec spec = validate(c);
            if (!names.add(spec.name())) {
                throw new Refusal("class name '" + spec.name() + "' appears twice");
            }
            out.add(spec);
        }
        if (out.isEmpty()) {
            return new Validated(List.of(), 0);
        }
        // uint32 on the wire: above 2^31 must read as too long, not negative.
        long lease = Integer.toUnsignedLong(request.getLeaseMs());
        if (lease < Bounds.MIN_LEASE_MS || lease > Bounds.MAX_LEASE_MS) {
            throw new Refusal("lease_ms " + lease + " is outside " + Bounds.MIN_LEASE_MS + ".." + Bounds.MAX_LEASE_MS);
        }
        return new Validated(List.copyOf(out), lease);
    }

    static ClassSpec validate(ProcessClass c) throws Refusal {
        String name = c.getName();
        if (!NAME.matcher(name).matches()) {
            throw new Refusal("class name '" + Bounds.clip(name, 64) + "' is not 1.." + Bounds.MAX_CLASS_NAME_CHARS
                    + " characters of [a-z0-9_-]");
        }
        String where = "class '" + name + "': ";
        if (c.getComm().isEmpty() && c.getCmdline().isEmpty() && c.getCgroup().isEmpty() && c.getUnit().isEmpty()) {
            throw new Refusal(where + "no rule (set comm, cmdline, cgroup or unit)");
        }
        length(where, "comm", c.getComm(), Bounds.MAX_COMM_GLOB_CHARS);
        length(where, "cmdline", c.getCmdline(), Bounds.MAX_RULE_CHARS);
        length(where, "cgroup", c.getCgroup(), Bounds.MAX_RULE_CHARS);
        length(where, "unit", c.getUnit(), Bounds.MAX_RULE_CHARS);
        if (!c.getCgroup().isEmpty() && !c.getCgroup().startsWith("/")) {
            throw new Refusal(where + "cgroup '" + c.getCgroup() + "' is not an absolute path");
        }
        if (c.getUnit().contains("/")) {
            throw new Refusal(where + "unit '" + c.getUnit() + "' contains '/' (it is one path component)");
        }
        long weight = Integer.toUnsignedLong(c.getCpuWeight());
        if (weight == 0) {
            weight = DEFAULT_WEIGHT;
        } else if (weight < Bounds.MIN_CPU_WEIGHT || weight > Bounds.MAX_CPU_WEIGHT) {
            throw new Refusal(where + "cpu_weight " + weight + " is outside " + Bounds.MIN_CPU_WEIGHT + ".."
                    + Bounds.MAX_CPU_WEIGHT);
        }
        long quota = Integer.toUnsignedLong(c.getQuotaUs());
        if (quota != 0 && (quota < Bounds.MIN_QUOTA_US || quota > MAX_QUOTA_US)) {
            throw new Refusal(where + "quota_us " + quota + " is outside " + Bounds.MIN_QUOTA_US + ".." + MAX_QUOTA_US
                    + " (or 0 for no limit)");
        }
        return new ClassSpec(name, new ClassRule(c.getComm(), c.getCmdline(), c.getCgroup(), c.getUnit()),
                (int) weight, c.getIdle(), quota);
    }

    private static void length(String where, String field, String value, int max) throws Refusal {
        if (value.length() > max) {
            throw new Refusal(where + field + " is " + value.length() + " characters, at most " + max);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new Refusal(where + field + " contains a control character");
            }
        }
    }
}
