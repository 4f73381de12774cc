package io.vcpubal.host.topology;

import io.vcpubal.protocol.CpuSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Discovers the {@link HostTopology} from sysfs under an injectable root ({@code /} on a real host, a
 * fixture tree in tests). Reading and assembling are split: {@link #discover()} only reads files,
 * {@link #assemble} turns their text into the topology and never throws on odd kernel output.
 *
 * <p>Files read, relative to the root:
 * <ul>
 *   <li>{@code sys/devices/system/cpu/online} — cpulist of online CPUs, e.g. "0-1"; when missing or
 *       unreadable, every {@code cpuN} directory with a {@code topology} directory counts as online
 *       (offline CPUs lose that directory).</li>
 *   <li>{@code sys/devices/system/cpu/cpuN/topology/physical_package_id} — socket, e.g. "0";
 *       missing or negative (some arm64 firmware) means socket 0.</li>
 *   <li>{@code .../cpuN/topology/core_id} — core id within the socket, e.g. "1".</li>
 *   <li>{@code .../cpuN/topology/thread_siblings_list} — cpulist of the SMT threads of that core,
 *       e.g. "1,9". The kernel's grouping is trusted over {@code core_id}: when the two disagree (or
 *       core_id is missing), every CPU's core id becomes the lowest CPU of its siblings.</li>
 *   <li>{@code sys/devices/system/node/nodeN/cpulist} — CPUs of NUMA node N; CPUs in no node (kernels
 *       without NUMA) are on node 0.</li>
 * </ul>
 */
public final class SysfsTopologyDiscovery {

    private static final Pattern CPU_DIR = Pattern.compile("cpu(\\d+)");
    private static final Pattern NODE_DIR = Pattern.compile("node(\\d+)");

    /** The raw text of one CPU's topology files; null where a file was missing or unreadable. */
    public record CpuFiles(String coreId, String physicalPackageId, String threadSiblingsList) {
    }

    private final Path root;

    /** @param root the file system root to read {@code sys/...} under; {@code Path.of("/")} on a host */
    public SysfsTopologyDiscovery(Path root) {
        this.root = root;
    }

    /**
     * Reads the topology.
     *
     * @throws IOException when no online CPU can be found under the root at all
     */
    public HostTopology discover() throws IOException {
        Path cpuDir = root.resolve("sys/devices/system/cpu");
        String online = readOrNull(cpuDir.resolve("online"));
        Map<Integer, CpuFiles> files = new TreeMap<>();
        for (Map.Entry<Integer, Path> dir : numberedDirs(cpuDir, CPU_DIR).entrySet()) {
            Path topology = dir.getValue().resolve("topology");
            if (Files.isDirectory(topology)) {
                files.put(dir.getKey(), new CpuFiles(
                        readOrNull(topology.resolve("core_id")),
                        readOrNull(topology.resolve("physical_package_id")),
                        readOrNull(topology.resolve("thread_siblings_list"))));
            }
        }
        Map<Integer, String> nodeCpulists = new TreeMap<>();
        for (Map.Entry<Integer, Path> dir : numberedDirs(root.resolve("sys/devices/system/node"), NODE_DIR).entrySet()) {
            String cpulist = readOrNull(dir.getValue().resolve("cpulist"));
            if (cpulist != null) {
                nodeCpulists.put(dir.getKey(), cpulist);
            }
        }
        return assemble(online, files, nodeCpulists)
                .orElseThrow(() -> new IOException("no online CPU found under " + cpuDir));
    }

    /**
     * Builds the topology from the text of the sysfs files (see the class comment for the defaults).
     *
     * @param online       text of {@code cpu/online}, or null
     * @param cpuFiles     per CPU number that has a {@code topology} directory, its files
     * @param nodeCpulists per NUMA node number, the text of its {@code cpulist}
     * @return empty when no online CPU is known
     */
    public static Optional<HostTopology> assemble(String online, Map<Integer, CpuFiles> cpuFiles,
                                                  Map<Integer, String> nodeCpulists) {
        CpuSet onlineCpus = online == null ? CpuSet.empty() : CpuSet.tryParse(online).orElse(CpuSet.empty());
        if (onlineCpus.isEmpty()) {
            onlineCpus = CpuSet.of(cpuFiles.keySet().stream().mapToInt(Integer::intValue));
        }
        if (onlineCpus.isEmpty()) {
            return Optional.empty();
        }
        Map<Integer, Integer> nodeOf = new HashMap<>();
        nodeCpulists.forEach((node, cpulist) -> CpuSet.tryParse(cpulist).orElse(CpuSet.empty())
                .forEach(cpu -> nodeOf.putIfAbsent(cpu, node)));

        final CpuSet onlineSet = onlineCpus;
        int[] ids = onlineCpus.toArray();
        int[] socket = new int[ids.length];
        int[] core = new int[ids.length];
        CpuSet[] siblings = new CpuSet[ids.length];
        boolean coreIdsUsable = true;
        for (int i = 0; i < ids.length; i++) {
            CpuFiles f = cpuFiles.getOrDefault(ids[i], new CpuFiles(null, null, null));
            socket[i] = Math.max(0, parseIntOr(f.physicalPackageId(), 0));
            core[i] = parseIntOr(f.coreId(), -1);
            final int cpu = ids[i];
            siblings[i] = Optional.ofNullable(f.threadSiblingsList()).flatMap(CpuSet::tryParse)
                    .map(s -> s.intersection(onlineSet))
                    .filter(s -> s.contains(cpu))
                    .orElse(CpuSet.of(cpu));
            coreIdsUsable &= core[i] >= 0;
        }
        coreIdsUsable = coreIdsUsable && coreIdsMatchSiblings(ids, socket, core, siblings);

        List<HostTopology.Cpu> cpus = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int coreId = coreIdsUsable ? core[i] : siblings[i].first();
            cpus.add(new HostTopology.Cpu(ids[i], coreId, socket[i], nodeOf.getOrDefault(ids[i], 0)));
        }
        return Optional.of(HostTopology.of(cpus));
    }

    /** True when grouping by (socket, core_id) yields exactly the kernel's thread-sibling groups. */
    private static boolean coreIdsMatchSiblings(int[] ids, int[] socket, int[] core, CpuSet[] siblings) {
        Map<Long, BitSet> groups = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            groups.computeIfAbsent(((long) socket[i] << 32) | core[i], k -> new BitSet()).set(ids[i]);
        }
        for (int i = 0; i < ids.length; i++) {
            BitSet group = groups.get(((long) socket[i] << 32) | core[i]);
            if (!CpuSet.of(group).equals(siblings[i])) {
                return false;
            }
        }
        return true;
    }

    private static int parseIntOr(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null; // missing or unreadable: the caller's default applies
        }
    }

    private static Map<Integer, Path> numberedDirs(Path dir, Pattern name) throws IOException {
        Map<Integer, Path> dirs = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return dirs;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.forEach(p -> {
                Matcher m = name.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).length() <= 5 && Integer.parseInt(m.group(1)) <= CpuSet.MAX_CPU
                        && Files.isDirectory(p)) {
                    dirs.put(Integer.parseInt(m.group(1)), p);
                }
            });
        }
        return dirs;
    }
}
