package io.vcpubal.host.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a VM's guest takes vCPUs out of use (VM spec {@code balloon=}). {@code auto} fences first (fast both
 * ways) and turns a shrink that held for {@code io.vcpubal.host.reconcile.BalloonModes#AUTO_HOTPLUG_AFTER}
 * into hotplug; see that class for why.
 */
public enum BalloonChoice {
    HOTPLUG, FENCE, AUTO;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the value and the choices */
    public static BalloonChoice parse(String value) {
        for (BalloonChoice c : values()) {
            if (c.id().equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("balloon='" + value + "' must be one of "
                + Arrays.stream(values()).map(BalloonChoice::id).collect(Collectors.joining(", ")));
    }
}
