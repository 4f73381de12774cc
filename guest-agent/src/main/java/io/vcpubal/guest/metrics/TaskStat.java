package io.vcpubal.guest.metrics;

/**
 * The fields of {@code /proc/<pid>/stat} the agent uses.
 *
 * @param pid process id (field 1)
 * @param comm command name as the kernel stores it, parentheses removed (field 2), at most 64 chars
 * @param state R, S, D, Z, ... (field 3)
 * @param ppid parent pid (field 4)
 * @param utimeTicks user time of the whole process in USER_HZ ticks (field 14)
 * @param stimeTicks system time of the whole process in USER_HZ ticks (field 15)
 * @param threads number of threads (field 20)
 * @param startTicks start time after boot in ticks (field 22); with the pid it identifies a process
 *     across samples, since pids are reused
 * @param processor CPU it last ran on (field 39), -1 if absent
 * @param flags the kernel's PF_* flags of the task (field 9)
 */
public record TaskStat(int pid, String comm, char state, int ppid, long utimeTicks, long stimeTicks, int threads,
                       long startTicks, int processor, long flags) {
    /** PF_KTHREAD: the task is a kernel thread (it has no user memory and cannot leave the root cgroup). */
    public static final long PF_KTHREAD = 0x00200000L;

    public boolean kernelThread() {
        return (flags & PF_KTHREAD) != 0;
    }


    public long cpuTicks() {
        return utimeTicks + stimeTicks;
    }
}
