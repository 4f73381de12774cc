package io.vcpubal.host.topology;

import io.vcpubal.protocol.CpuSet;

import java.util.Objects;

/**
 * Host CPUs that are never given to vCPUs: {@code forHost} for the host's own work (daemons, interrupts,
 * this plugin), {@code forEmulator} for QEMU's emulator threads (main loop, I/O threads). The two may
 * overlap. Config gives them as strict cpulists ({@link #parse}).
 */
public record ReservedCpus(CpuSet forHost, CpuSet forEmulator) {

    private static final ReservedCpus NONE = new ReservedCpus(CpuSet.empty(), CpuSet.empty());

    public ReservedCpus {
        Objects.requireNonNull(forHost, "forHost");
        Objects.requireNonNull(forEmulator, "forEmulator");
    }

    public static ReservedCpus none() {
        return NONE;
    }

    /**
     * Parses the two cpulists of the config ("" for none).
     *
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    public static ReservedCpus parse(String forHost, String forEmulator) {
        return new ReservedCpus(parseSetting("reserved host CPUs", forHost),
                parseSetting("reserved emulator CPUs", forEmulator));
    }

    private static CpuSet parseSetting(String what, String cpulist) {
        try {
            return cpulist == null ? CpuSet.empty() : CpuSet.parse(cpulist);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** Every reserved CPU. */
    public CpuSet all() {
        return forHost.union(forEmulator);
    }

    /**
     * Checks that every reserved CPU is an online CPU of {@code topology}.
     *
     * @throws IllegalArgumentException naming the CPUs that are not
     */
    public void checkAgainst(HostTopology topology) {
        check("reserved host CPUs", forHost, topology);
        check("reserved emulator CPUs", forEmulator, topology);
    }

    private static void check(String what, CpuSet set, HostTopology topology) {
        CpuSet unknown = set.minus(topology.cpus());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(what + " " + set + ": CPU(s) " + unknown
                    + " are not online CPUs of this host (" + topology.cpus() + ")");
        }
    }

    /** The CPUs left for vCPUs. */
    public CpuSet assignable(HostTopology topology) {
        return topology.cpus().minus(all());
    }
}
