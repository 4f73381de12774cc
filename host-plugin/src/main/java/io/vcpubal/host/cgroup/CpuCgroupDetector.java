package io.vcpubal.host.cgroup;

import io.vcpubal.host.cgroup.CgroupMounts.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds the hierarchy that carries the CPU controller. A controller is bound to one hierarchy at a time, so
 * at most one of these holds:
 * <ol>
 *   <li>a cgroup2 mount whose {@code cgroup.controllers} lists {@code cpu} (pure v2 hosts);</li>
 *   <li>a cgroup v1 mount with the {@code cpu} option, alone or comounted ({@code cpu,cpuacct}).</li>
 * </ol>
 * Hybrid hosts mount an "unified" v2 hierarchy next to the v1 ones; its {@code cgroup.controllers} is then
 * empty (or lacks cpu), so it must not be picked just for being v2.
 */
public final class CpuCgroupDetector {

    private CpuCgroupDetector() {
    }

    /**
     * Reads {@code <root>/proc/self/mounts} and the v2 mounts' {@code cgroup.controllers}.
     *
     * @return the CPU controller, or empty when no mounted hierarchy has it
     * @throws IOException when the mount table cannot be read
     */
    public static Optional<CpuController> detect(Path root) throws IOException {
        List<Mount> mounts = CgroupMounts.read(root);
        return choose(mounts, m -> readOrEmpty(under(root, m).resolve("cgroup.controllers")))
                .map(m -> new CpuController(m.version(), under(root, m)));
    }

    /**
     * The mount carrying the CPU controller.
     *
     * @param v2Controllers the text of a v2 mount's {@code cgroup.controllers}, e.g. "cpuset cpu io memory pids"
     */
    public static Optional<Mount> choose(List<Mount> mounts, Function<Mount, String> v2Controllers) {
        for (Mount m : mounts) {
            if (m.version() == CgroupVersion.V2 && words(v2Controllers.apply(m)).contains("cpu")) {
                return Optional.of(m);
            }
        }
        return mounts.stream().filter(m -> m.hasV1Controller("cpu")).findFirst();
    }

    static Path under(Path root, Mount m) {
        String relative = m.mountPoint().replaceFirst("^/+", "");
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    static Set<String> words(String text) {
        return text == null || text.isBlank() ? Set.of() : Set.of(text.trim().split("\\s+"));
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
