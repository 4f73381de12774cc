package io.vcpubal.host.backend.libvirt;

import io.vcpubal.protocol.CpuSet;
import java.util.List;

/**
 * What a running domain had before vcpubal first touched it, read through libvirt at adoption and put back on
 * release: each vCPU's pin, the emulator pin, the {@code cpu_shares} weight (-1 when libvirt reported none).
 */
record DomainOriginals(List<CpuSet> vcpuPins, CpuSet emulatorPin, long cpuShares) {
    DomainOriginals {
        vcpuPins = List.copyOf(vcpuPins);
    }
}
