package io.vcpubal.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to boot: one guest's name, vCPU count, memory and any extra QEMU arguments.
 *
 * @param name          short and unique within a lab: {@code [a-z0-9][a-z0-9_-]{0,23}} (it becomes a
 *                      directory in socket paths, which must stay under 108 bytes)
 * @param vcpus         vCPUs the guest boots with, 1-64 (all online at boot)
 * @param memoryMiB     guest RAM in MiB, at least 128
 * @param extraQemuArgs appended to the QEMU command line as given (e.g. {@code -cpu max})
 */
public record GuestSpec(String name, int vcpus, int memoryMiB, List<String> extraQemuArgs) {
    /** Enough for the guest's JVMs with tight flags; TCG memory is host memory, so keep it modest. */
    public static final int DEFAULT_MEMORY_MIB = 768;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,23}");

    public GuestSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("guest name must match " + NAME + ": '" + name + "'");
        }
        if (vcpus < 1 || vcpus > 64) {
            throw new IllegalArgumentException("vcpus must be 1-64, got " + vcpus);
        }
        if (memoryMiB < 128) {
            throw new IllegalArgumentException("memoryMiB must be at least 128, got " + memoryMiB);
        }
        extraQemuArgs = List.copyOf(extraQemuArgs);
    }

    /** A guest with {@link #DEFAULT_MEMORY_MIB} and no extra QEMU arguments. */
    public static GuestSpec of(String name, int vcpus) {
        return new GuestSpec(name, vcpus, DEFAULT_MEMORY_MIB, List.of());
    }

    public GuestSpec withMemoryMiB(int mib) {
        return new GuestSpec(name, vcpus, mib, extraQemuArgs);
    }

    /** This spec with {@code args} appended to its extra QEMU arguments. */
    public GuestSpec withExtraQemuArgs(String... args) {
        List<String> all = new ArrayList<>(extraQemuArgs);
        all.addAll(List.of(args));
        return new GuestSpec(name, vcpus, memoryMiB, all);
    }
}
