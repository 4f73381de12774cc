package io.vcpubal.guest.metrics;

import java.util.Optional;

/**
 * CPU pressure stall information: "some" = at least one runnable task waited for a CPU, "full" = all
 * non-idle tasks did (the kernel prints "full" for CPU since 5.13).
 */
public record CpuPressure(Optional<PressureLine> some, Optional<PressureLine> full) {

    /** The kernel has no PSI (CONFIG_PSI=n, psi=0 on the command line, or an old kernel). */
    public static final CpuPressure NOT_AVAILABLE = new CpuPressure(Optional.empty(), Optional.empty());

    public boolean available() {
        return some.isPresent();
    }
}
