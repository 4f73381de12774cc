package io.vcpubal.lab.fleet;

import io.vcpubal.host.backend.Backends;
import io.vcpubal.host.cli.RunCommand;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.daemon.CpuWeights;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.protocol.CpuSet;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real host daemon ({@link RunCommand#serve}: daemon, control socket, metrics endpoint) in its own JVM, as
 * {@code vcpubal-host run} starts it, except for what a simulated fleet cannot have: the topology is synthetic
 * ({@code SOCKETS x CORES x 2} threads) and pins are folded onto the real CPUs ({@link FoldingBackend}). CPU
 * weights stay off: moving a thousand simulated threads into cgroups would measure the cgroup filesystem, not
 * the daemon (the lab's HostPluginIT tests the weights on real guests).
 *
 * <p>Usage: {@code FleetDaemonMain CONFIG PCPUS}, PCPUS a multiple of 4.
 */
public final class FleetDaemonMain {
    private FleetDaemonMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: FleetDaemonMain HOST_CONF PCPUS");
            System.exit(2);
        }
        HostConfig config = HostConfig.read(Path.of(args[0]));
        int pcpus = Integer.parseInt(args[1]);
        HostTopology topology = syntheticTopology(pcpus);
        CpuSet real = CpuSet.range(0, Runtime.getRuntime().availableProcessors() - 1);
        FoldingBackend backend = new FoldingBackend(Backends.create(config, Duration.ofSeconds(2)), real);
        System.exit(RunCommand.serve(config, topology, backend, CpuWeights.none(), config::vms));
    }

    /** Two sockets of {@code pcpus / 4} cores with two threads each, like a common dual-socket server. */
    static HostTopology syntheticTopology(int pcpus) {
        if (pcpus < 4 || pcpus % 4 != 0) {
            throw new IllegalArgumentException("synthetic pCPUs must be a positive multiple of 4, got " + pcpus);
        }
        return HostTopology.uniform(2, pcpus / 4, 2);
    }
}
