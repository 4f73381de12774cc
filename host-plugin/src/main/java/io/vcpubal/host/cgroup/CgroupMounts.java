package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The cgroup file systems listed in {@code /proc/self/mounts}. One line per mount, fields separated by
 * spaces, with spaces inside a field written as octal escapes ({@code \040}):
 * <pre>
 * cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
 * cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
 * </pre>
 * For v1 the options name the controllers bound to the hierarchy; v2 lists its controllers in
 * {@code cgroup.controllers} instead.
 */
public final class CgroupMounts {

    /** One cgroup mount. @param mountPoint as the kernel prints it (absolute, unescaped) */
    public record Mount(String mountPoint, CgroupVersion version, Set<String> options) {
        public Mount {
            options = Set.copyOf(options);
        }

        /** A v1 mount with {@code controller} among its options ({@code cpu} is not {@code cpuacct} or {@code cpuset}). */
        public boolean hasV1Controller(String controller) {
            return version == CgroupVersion.V1 && options.contains(controller);
        }
    }

    private CgroupMounts() {
    }

    /** Reads {@code <root>/proc/self/mounts}. */
    public static List<Mount> read(Path root) throws IOException {
        return parse(Files.readAllLines(root.resolve("proc/self/mounts")));
    }

    /** The cgroup and cgroup2 mounts among {@code lines}, in order; other and malformed lines are skipped. */
    public static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            CgroupVersion version = switch (f[2]) {
                case "cgroup" -> CgroupVersion.V1;
                case "cgroup2" -> CgroupVersion.V2;
                default -> null;
            };
            if (version != null) {
                mounts.add(new Mount(unescape(f[1]), version, Set.of(f[3].split(","))));
            }
        }
        return mounts;
    }

    /** Undoes the kernel's octal escapes of space, tab, newline and backslash ({@code \040} etc.). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
