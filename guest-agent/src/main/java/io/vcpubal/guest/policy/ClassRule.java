package io.vcpubal.guest.policy;

/**
 * A class's rule: every non-empty field must match.
 *
 * @param comm glob on {@code /proc/PID/comm}
 * @param cmdline glob on the arguments joined by single spaces
 * @param cgroup prefix of the cgroup path, component-wise: "/a" matches "/a" and "/a/b", not "/ab"
 * @param unit the last component of the cgroup path, exactly (a systemd unit such as "web.service")
 */
public record ClassRule(String comm, String cmdline, String cgroup, String unit) {

    /**
     * @param originCgroup the process's cgroup path where the agent first found it (not its class group, so a
     *     rule keeps matching a process the agent moved)
     */
    public boolean matches(ProcessIdentity p, String originCgroup) {
        return (comm.isEmpty() || Glob.matches(comm, p.comm()))
                && (cmdline.isEmpty() || Glob.matches(cmdline, p.cmdline()))
                && (cgroup.isEmpty() || underPrefix(cgroup, originCgroup))
                && (unit.isEmpty() || unit.equals(lastComponent(originCgroup)));
    }

    static boolean underPrefix(String prefix, String path) {
        String p = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (p.equals("/")) {
            return path.startsWith("/");
        }
        return path.equals(p) || (path.startsWith(p) && path.charAt(p.length()) == '/');
    }

    static String lastComponent(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
