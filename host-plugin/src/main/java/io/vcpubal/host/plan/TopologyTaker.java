package io.vcpubal.host.plan;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out free pCPUs by topology, in the spirit of the Kubernetes CPU manager's static policy
 * ({@code takeByTopology}): a VM's pCPUs stay in one socket when they fit, whole cores go before single
 * SMT threads, and a VM that already holds pCPUs grows next to them. Mutable, used within one plan only.
 *
 * <p>Cost of one {@link #take}: O(cores · log cores) at worst; the planner calls it at most once per VM
 * that needs new pCPUs, and at most T VMs can need one.
 */
final class TopologyTaker {

    private final int[][] coreCpus;        // core index -> its CPUs, ascending
    private final int[] coreSocket;        // core index -> socket index
    private final int[][] socketCores;     // socket index -> core indices, in topology order
    private final int[] coreOfCpu;         // cpu -> core index, -1 when unknown
    private final BitSet free;             // assignable and not yet taken
    private final int[] coreFree;          // free CPUs per core
    private final int[] socketFree;        // free CPUs per socket

    TopologyTaker(HostTopology topology, CpuSet assignable) {
        List<CpuSet> cores = topology.cores();
        Map<Integer, Integer> socketIndex = new HashMap<>();
        List<Integer> sockets = topology.sockets();
        for (int s = 0; s < sockets.size(); s++) {
            socketIndex.put(sockets.get(s), s);
        }
        coreCpus = new int[cores.size()][];
        coreSocket = new int[cores.size()];
        coreFree = new int[cores.size()];
        socketFree = new int[sockets.size()];
        coreOfCpu = new int[topology.cpus().stream().max().orElse(0) + 1];
        Arrays.fill(coreOfCpu, -1);
        free = assignable.toBitSet();
        List<List<Integer>> perSocket = new ArrayList<>();
        sockets.forEach(s -> perSocket.add(new ArrayList<>()));
        for (int c = 0; c < cores.size(); c++) {
            int[] cpus = cores.get(c).toArray();
            coreCpus[c] = cpus;
            int s = socketIndex.get(topology.cpu(cpus[0]).socketId());
            coreSocket[c] = s;
            perSocket.get(s).add(c);
            for (int cpu : cpus) {
                coreOfCpu[cpu] = c;
                if (free.get(cpu)) {
                    coreFree[c]++;
                    socketFree[s]++;
                }
            }
        }
        socketCores = new int[sockets.size()][];
        for (int s = 0; s < sockets.size(); s++) {
            socketCores[s] = perSocket.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    boolean isFree(int cpu) {
        return cpu >= 0 && free.get(cpu);
    }

    /** Marks one free pCPU as taken. */
    void claim(int cpu) {
        if (!isFree(cpu)) {
            throw new IllegalStateException("pCPU " + cpu + " is not free");
        }
        free.clear(cpu);
        int core = coreOfCpu[cpu];
        coreFree[core]--;
        socketFree[coreSocket[core]]--;
    }

    /** The pCPUs nobody has taken. */
    CpuSet remaining() {
        return CpuSet.of(free);
    }

    int freeCount() {
        return free.cardinality();
    }

    /**
     * Takes {@code n} free pCPUs for a VM that already holds {@code held}.
     *
     * @throws IllegalStateException when fewer than {@code n} pCPUs are free (the planner never asks)
     */
    CpuSet take(int n, CpuSet held) {
        BitSet taken = new BitSet();
        int need = n;
        // 1. Free SMT siblings of cores the VM already holds: sharing a core with itself disturbs no one.
        for (int cpu : held.toArray()) {
            for (int sibling : coreCpus[coreOfCpu[cpu]]) {
                if (need > 0 && free.get(sibling)) {
                    claim(sibling);
                    taken.set(sibling);
                    need--;
                }
            }
        }
        int[] heldPerSocket = new int[socketFree.length];
        held.forEach(cpu -> heldPerSocket[coreSocket[coreOfCpu[cpu]]]++);
        while (need > 0) {
            // 2. Pick a socket: where the VM already is, else the tightest one that fits the rest
            //    (keeps whole sockets free for big VMs), else the one with the most free pCPUs.
            int socket = pickSocket(need, heldPerSocket);
            if (socket < 0) {
                throw new IllegalStateException("need " + need + " more pCPUs, none free");
            }
            // 3. Whole free cores, while the VM needs at least a whole core.
            for (int core : socketCores[socket]) {
                if (need >= coreCpus[core].length && coreFree[core] == coreCpus[core].length) {
                    need -= takeCore(core, need, taken);
                }
            }
            // 4. Single threads: from partly used cores first (fewest free first), only then split a free core.
            if (need > 0 && socketFree[socket] > 0) {
                List<Integer> candidates = new ArrayList<>();
                for (int core : socketCores[socket]) {
                    if (coreFree[core] > 0) {
                        candidates.add(core);
                    }
                }
                candidates.sort((a, b) -> {
                    boolean wholeA = coreFree[a] == coreCpus[a].length;
                    boolean wholeB = coreFree[b] == coreCpus[b].length;
                    return wholeA != wholeB ? Boolean.compare(wholeA, wholeB) : Integer.compare(coreFree[a], coreFree[b]);
                });
                for (int core : candidates) {
                    if (need == 0) {
                        break;
                    }
                    need -= takeCore(core, need, taken);
                }
            }
        }
        return CpuSet.of(taken);
    }

    /** Takes up to {@code need} free CPUs of one core; returns how many. */
    private int takeCore(int core, int need, BitSet taken) {
        int count = 0;
        for (int cpu : coreCpus[core]) {
            if (count < need && free.get(cpu)) {
                claim(cpu);
                taken.set(cpu);
                count++;
            }
        }
        return count;
    }

    private int pickSocket(int need, int[] heldPerSocket) {
        int best = -1;
        for (int s = 0; s < socketFree.length; s++) {
            if (socketFree[s] > 0 && (best < 0 || better(s, best, need, heldPerSocket))) {
                best = s;
            }
        }
        return best;
    }

    private boolean better(int a, int b, int need, int[] heldPerSocket) {
        if (heldPerSocket[a] != heldPerSocket[b]) {
            return heldPerSocket[a] > heldPerSocket[b];
        }
        boolean fitsA = socketFree[a] >= need;
        boolean fitsB = socketFree[b] >= need;
        if (fitsA != fitsB) {
            return fitsA;
        }
        if (socketFree[a] != socketFree[b]) {
            return fitsA ? socketFree[a] < socketFree[b] : socketFree[a] > socketFree[b];
        }
        return false; // lower socket index wins ties
    }
}
