package io.vcpubal.guest.policy;

/**
 * What a class rule looks at, read once per process.
 *
 * @param pid process id
 * @param ppid parent pid: a child found in a class group came back from its parent's origin
 * @param startTicks start time after boot (stat field 22): with the pid it names one process, since pids
 *     are reused
 * @param comm {@code /proc/PID/comm} without the newline
 * @param cmdline the arguments joined by single spaces (empty for kernel threads and zombies)
 * @param cgroup the cgroup v2 path ({@code "0::/path"} line), "/" for the root, empty when unknown
 * @param kernelThread PF_KTHREAD: never classified
 */
public record ProcessIdentity(int pid, int ppid, long startTicks, String comm, String cmdline, String cgroup,
                              boolean kernelThread) {
}
