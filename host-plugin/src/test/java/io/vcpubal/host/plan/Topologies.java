package io.vcpubal.host.plan;

import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.HostTopology.Cpu;
import io.vcpubal.host.topology.TopologyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** Named host topologies for planner tests. */
enum Topologies {
    /** The 2-core machine these tests were written on, from its own {@code lscpu -p=CPU,CORE,SOCKET,NODE}. */
    THIS_HOST_2CPU(lscpu("/io/vcpubal/host/topology/lscpu/this-host-2cpu.txt")),
    /** The VCPU-Bal paper's box: 12 cores, no SMT. */
    PAPER_12CORE(HostTopology.uniform(1, 12, 1)),
    /** 2 sockets x 16 cores x 2 threads, Intel numbering (siblings N and N+32), one NUMA node per socket. */
    DUAL_SOCKET_16C_HT(HostTopology.uniform(2, 16, 2)),
    /**
     * An odd 6-CPU host: socket 0 has two SMT cores numbered AMD-style ({0,1} and {2,3}), socket 1 has two
     * single-thread cores (4 and 5) on another NUMA node.
     */
    ODD_6CPU(HostTopology.of(List.of(
            new Cpu(0, 0, 0, 0), new Cpu(1, 0, 0, 0), new Cpu(2, 1, 0, 0), new Cpu(3, 1, 0, 0),
            new Cpu(4, 0, 1, 1), new Cpu(5, 1, 1, 1)))),
    /** Big enough for the 1,000-VM case: 2 sockets x 128 cores x 2 threads = 512 pCPUs. */
    BIG_512CPU(HostTopology.uniform(2, 128, 2));

    final HostTopology topology;

    Topologies(HostTopology topology) {
        this.topology = topology;
    }

    private static HostTopology lscpu(String resource) {
        try {
            return TopologyFile.read(Path.of(Topologies.class.getResource(resource).toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
