package io.vcpubal.host.backend;

import io.vcpubal.host.backend.qmp.QmpBackend;
import java.time.Duration;
import java.util.List;

/** The one place a backend is chosen by name ({@code backend =} in host.conf). */
public final class Backends {
    /** Backends this build has; libvirt and xl come with their issues. */
    public static final List<String> KNOWN = List.of("qmp");

    private Backends() {}

    /** @throws IllegalArgumentException for a name this build does not have, listing the ones it has */
    public static HypervisorBackend create(String name, Duration callTimeout) {
        return switch (name) {
            case "qmp" -> new QmpBackend(callTimeout);
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (this build has: "
                    + String.join(", ", KNOWN) + ")");
        };
    }
}
