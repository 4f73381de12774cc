package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup of a task, from {@code /proc/<tid>/cgroup}: one "hierarchy-id:controller-list:path" line per
 * hierarchy, e.g.
 * <pre>
 * 4:cpu,cpuacct:/machine.slice/machine-qemu\x2d1\x2dvm1.scope
 * 0::/user.slice/user-1000.slice/session-2.scope
 * </pre>
 * v1 hierarchies list their controllers; the v2 hierarchy is the line with id 0 and an empty list.
 */
public final class ProcCgroup {

    private ProcCgroup() {
    }

    /** The task's path in the hierarchy of the CPU controller, or empty when the file is unreadable (task gone). */
    public static Optional<String> read(Path root, int tid, CgroupVersion version) {
        try {
            return cpuPath(Files.readAllLines(root.resolve("proc/" + tid + "/cgroup")), version);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The path of the v1 line listing {@code cpu}, or of the v2 line ("0::path"); empty if none. */
    public static Optional<String> cpuPath(List<String> lines, CgroupVersion version) {
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || !f[2].startsWith("/")) {
                continue;
            }
            boolean v2Line = f[0].equals("0") && f[1].isEmpty();
            if (version == CgroupVersion.V2 ? v2Line : !v2Line && List.of(f[1].split(",")).contains("cpu")) {
                return Optional.of(f[2]);
            }
        }
        return Optional.empty();
    }
}
