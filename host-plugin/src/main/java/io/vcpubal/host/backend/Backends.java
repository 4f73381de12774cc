package io.vcpubal.host.backend;

import io.vcpubal.host.backend.libvirt.LibvirtBackend;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.config.HostConfig;
import java.time.Duration;
import java.util.List;

/** The one place a backend is chosen by name ({@code backend =} in host.conf). */
public final class Backends {
    /** Backends this build has; xl comes with its issue. */
    public static final List<String> KNOWN = List.of("qmp", "libvirt");

    private Backends() {}

    /** @throws IllegalArgumentException for a name this build does not have, listing the ones it has */
    public static HypervisorBackend create(HostConfig config, Duration callTimeout) {
        return switch (config.backend()) {
            // Next to the control socket (/run/vcpubal): gone at reboot, as the pins it describes are.
            case "qmp" -> new QmpBackend(callTimeout,
                    AffinityLedger.in(config.controlSocket().toAbsolutePath().getParent().resolve("affinity")));
            case "libvirt" -> new LibvirtBackend(config.libvirtUri(), config.manageAll());
            default -> throw new IllegalArgumentException("unknown backend '" + config.backend()
                    + "' (this build has: " + String.join(", ", KNOWN) + ")");
        };
    }
}
