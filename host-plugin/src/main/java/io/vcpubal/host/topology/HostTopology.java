package io.vcpubal.host.topology;

import io.vcpubal.protocol.CpuSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The online logical CPUs of a host and where each one sits: core, socket (physical package) and NUMA
 * node. A plain immutable value, built by {@link SysfsTopologyDiscovery} or {@link TopologyFile}.
 *
 * <p>Core ids follow the kernel's {@code core_id}: unique within a socket only, so a core is the pair
 * (socket, core id). SMT siblings are the CPUs of one core.
 */
public final class HostTopology {

    /** One logical CPU. All ids are non-negative; {@code coreId} is unique within its socket. */
    public record Cpu(int id, int coreId, int socketId, int nodeId) {
        public Cpu {
            if (id < 0 || id > CpuSet.MAX_CPU || coreId < 0 || socketId < 0 || nodeId < 0) {
                throw new IllegalArgumentException("invalid CPU " + id + " (core " + coreId + ", socket "
                        + socketId + ", node " + nodeId + "): ids must be non-negative");
            }
        }
    }

    private final List<Cpu> cpus;                   // ascending by id
    private final Map<Integer, Cpu> byId;
    private final CpuSet all;
    private final List<CpuSet> cores;               // by socket, then node, then lowest CPU
    private final Map<Integer, CpuSet> coreOfCpu;
    private final Map<Integer, CpuSet> socketCpus;  // ascending socket id
    private final Map<Integer, CpuSet> nodeCpus;    // ascending node id

    private HostTopology(List<Cpu> sorted) {
        this.cpus = List.copyOf(sorted);
        Map<Integer, Cpu> ids = new LinkedHashMap<>();
        for (Cpu cpu : sorted) {
            if (ids.put(cpu.id(), cpu) != null) {
                throw new IllegalArgumentException("CPU " + cpu.id() + " is listed twice");
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.all = CpuSet.of(sorted.stream().mapToInt(Cpu::id));

        Map<List<Integer>, List<Cpu>> coreMembers = new TreeMap<>(Comparator
                .<List<Integer>>comparingInt(k -> k.get(0)).thenComparingInt(k -> k.get(1)));
        for (Cpu cpu : sorted) {
            coreMembers.computeIfAbsent(List.of(cpu.socketId(), cpu.coreId()), k -> new ArrayList<>()).add(cpu);
        }
        List<List<Cpu>> coreLists = new ArrayList<>(coreMembers.values());
        for (List<Cpu> members : coreLists) {
            Cpu first = members.get(0);
            for (Cpu cpu : members) {
                if (cpu.nodeId() != first.nodeId()) {
                    throw new IllegalArgumentException("core " + first.coreId() + " of socket " + first.socketId()
                            + " spans NUMA nodes " + first.nodeId() + " (CPU " + first.id() + ") and "
                            + cpu.nodeId() + " (CPU " + cpu.id() + ")");
                }
            }
        }
        // Within a socket, keep the cores of one NUMA node next to each other.
        coreLists.sort(Comparator.<List<Cpu>>comparingInt(c -> c.get(0).socketId())
                .thenComparingInt(c -> c.get(0).nodeId())
                .thenComparingInt(c -> c.get(0).id()));
        List<CpuSet> coreSets = new ArrayList<>();
        Map<Integer, CpuSet> coreOf = new TreeMap<>();
        for (List<Cpu> members : coreLists) {
            CpuSet core = CpuSet.of(members.stream().mapToInt(Cpu::id));
            coreSets.add(core);
            members.forEach(cpu -> coreOf.put(cpu.id(), core));
        }
        this.cores = List.copyOf(coreSets);
        this.coreOfCpu = Collections.unmodifiableMap(coreOf);
        this.socketCpus = group(sorted, Cpu::socketId);
        this.nodeCpus = group(sorted, Cpu::nodeId);
    }

    private static Map<Integer, CpuSet> group(List<Cpu> cpus, ToIntFunction<Cpu> key) {
        Map<Integer, List<Integer>> members = new TreeMap<>();
        for (Cpu cpu : cpus) {
            members.computeIfAbsent(key.applyAsInt(cpu), k -> new ArrayList<>()).add(cpu.id());
        }
        Map<Integer, CpuSet> sets = new LinkedHashMap<>();
        members.forEach((k, ids) -> sets.put(k, CpuSet.of(ids.stream().mapToInt(Integer::intValue))));
        return Collections.unmodifiableMap(sets);
    }

    /**
     * @throws IllegalArgumentException when {@code cpus} is empty or lists a CPU twice
     */
    public static HostTopology of(Collection<Cpu> cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("a host topology needs at least one CPU");
        }
        List<Cpu> sorted = new ArrayList<>(cpus);
        sorted.sort(Comparator.comparingInt(Cpu::id));
        return new HostTopology(sorted);
    }

    /**
     * A regular topology for tests and examples: CPUs numbered like Linux numbers Intel hosts, first one
     * thread of every core (socket by socket), then the second threads, and so on; one NUMA node per socket.
     */
    public static HostTopology uniform(int sockets, int coresPerSocket, int threadsPerCore) {
        if (sockets < 1 || coresPerSocket < 1 || threadsPerCore < 1) {
            throw new IllegalArgumentException("sockets, cores per socket and threads per core must be >= 1");
        }
        List<Cpu> list = new ArrayList<>();
        int cores = sockets * coresPerSocket;
        for (int thread = 0; thread < threadsPerCore; thread++) {
            for (int socket = 0; socket < sockets; socket++) {
                for (int core = 0; core < coresPerSocket; core++) {
                    int id = thread * cores + socket * coresPerSocket + core;
                    list.add(new Cpu(id, core, socket, socket));
                }
            }
        }
        return of(list);
    }

    /** All CPUs, ascending by id. */
    public List<Cpu> cpuList() {
        return cpus;
    }

    /** The ids of all CPUs. */
    public CpuSet cpus() {
        return all;
    }

    /**
     * @throws IllegalArgumentException when the CPU is not in this topology
     */
    public Cpu cpu(int id) {
        Cpu cpu = byId.get(id);
        if (cpu == null) {
            throw new IllegalArgumentException("CPU " + id + " is not an online CPU of this host (" + all + ")");
        }
        return cpu;
    }

    public int numCpus() {
        return cpus.size();
    }

    public int numCores() {
        return cores.size();
    }

    public int numSockets() {
        return socketCpus.size();
    }

    public int numNodes() {
        return nodeCpus.size();
    }

    /** The cores, each as the set of its SMT threads; grouped by socket, then NUMA node. */
    public List<CpuSet> cores() {
        return cores;
    }

    /** The CPUs of the core {@code cpu} belongs to, {@code cpu} included. */
    public CpuSet siblings(int cpu) {
        cpu(cpu);
        return coreOfCpu.get(cpu);
    }

    /** The CPUs of core {@code coreId} in socket {@code socketId}; empty when there is no such core. */
    public CpuSet cpusInCore(int socketId, int coreId) {
        return CpuSet.of(cpus.stream().filter(c -> c.socketId() == socketId && c.coreId() == coreId)
                .mapToInt(Cpu::id));
    }

    /** Socket (physical package) ids, ascending. */
    public List<Integer> sockets() {
        return List.copyOf(socketCpus.keySet());
    }

    /** NUMA node ids, ascending. */
    public List<Integer> nodes() {
        return List.copyOf(nodeCpus.keySet());
    }

    /** The CPUs of one socket; empty when there is no such socket. */
    public CpuSet cpusInSocket(int socketId) {
        return socketCpus.getOrDefault(socketId, CpuSet.empty());
    }

    /** The CPUs of one NUMA node; empty when there is no such node. */
    public CpuSet cpusInNode(int nodeId) {
        return nodeCpus.getOrDefault(nodeId, CpuSet.empty());
    }

    /** The largest number of SMT threads of any core (1 without SMT). */
    public int maxThreadsPerCore() {
        return cores.stream().mapToInt(CpuSet::size).max().orElse(1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTopology other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return cpus.hashCode();
    }

    @Override
    public String toString() {
        return numCpus() + " CPUs (" + all + ") in " + numCores() + " cores, " + numSockets() + " socket(s), "
                + numNodes() + " NUMA node(s); sockets " + socketCpus.entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" "));
    }
}
