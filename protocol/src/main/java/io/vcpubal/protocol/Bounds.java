package io.vcpubal.protocol;

/**
 * Hard bounds of vcpubal.proto. The guest keeps its messages within them; the host rejects or truncates
 * whatever exceeds them, because a guest is untrusted.
 */
public final class Bounds {
    /** Default and maximum frame payload, bytes. */
    public static final int MAX_FRAME_BYTES = 1 << 20;
    /** Longest cpulist string accepted. */
    public static final int MAX_CPULIST_CHARS = 4096;
    /** Highest CPU number accepted anywhere (Linux NR_CPUS on distro kernels is 8192). */
    public static final int MAX_CPU = 8191;
    /** Processes per GuestFacts report. */
    public static final int MAX_PROCESSES = 64;
    /** Process name length (kernel comm is 15 bytes; leave room for longer names from cmdline). */
    public static final int MAX_PROCESS_NAME_CHARS = 32;
    /** Short informational strings (versions, hostnames, boot ids). */
    public static final int MAX_SHORT_STRING_CHARS = 128;
    /** Error texts. */
    public static final int MAX_ERROR_CHARS = 1024;
    /** Lease bounds for a shrink, milliseconds. */
    public static final int MIN_LEASE_MS = 1_000;
    public static final int MAX_LEASE_MS = 3_600_000;
    /** Report period bounds, milliseconds. */
    public static final int MIN_PERIOD_MS = 100;
    public static final int MAX_PERIOD_MS = 60_000;

    /** Process classes per SetProcessClasses and per GuestFacts. */
    public static final int MAX_CLASSES = 16;
    /** Class name length. */
    public static final int MAX_CLASS_NAME_CHARS = 32;
    /** Class rule fields: comm glob; cmdline glob, cgroup prefix and unit. */
    public static final int MAX_COMM_GLOB_CHARS = 64;
    public static final int MAX_RULE_CHARS = 256;
    /** cpu.weight bounds of cgroup v2. */
    public static final int MIN_CPU_WEIGHT = 1;
    public static final int MAX_CPU_WEIGHT = 10_000;
    /** cpu.max period the classes use, and the smallest quota the kernel takes. */
    public static final int CPU_MAX_PERIOD_US = 100_000;
    public static final int MIN_QUOTA_US = 1_000;

    private Bounds() {}

    /** {@code s} cut to at most {@code max} characters. */
    public static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
