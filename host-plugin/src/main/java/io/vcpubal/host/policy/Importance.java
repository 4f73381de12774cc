package io.vcpubal.host.policy;

import java.util.Locale;

/**
 * How a process class ranks against the demand of every other VM.
 *
 * <ul>
 *   <li>{@code HIGH}: while the class is active its VM is planned as wanting all it can get (no waiting for the
 *       demand estimate to grow), so its entitlement comes back in the next round.</li>
 *   <li>{@code NORMAL}: its demand counts as measured (what unmatched processes are).</li>
 *   <li>{@code LOW}: idle-time: it runs only on CPU that no high or normal demand anywhere wants.</li>
 * </ul>
 */
public enum Importance {
    HIGH, NORMAL, LOW;

    public static Importance parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("importance must be high, normal or low, got '" + s + "'");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
