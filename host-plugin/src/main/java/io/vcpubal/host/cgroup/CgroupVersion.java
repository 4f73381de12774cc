package io.vcpubal.host.cgroup;

/**
 * The two cgroup interfaces to the CPU controller: which file holds the weight, how a share of pCPUs maps
 * onto it and through which files tasks move.
 */
public enum CgroupVersion {
    /** v1: {@code cpu.shares} 2..262144, default 1024; any thread moves alone through {@code tasks}. */
    V1("v1", "cpu.shares", "tasks", "tasks", 1024, 2, 262_144),
    /**
     * v2: {@code cpu.weight} 1..10000, default 100; a process moves through {@code cgroup.procs}, its threads
     * through {@code cgroup.threads}, and only within the threaded subtree the process is in.
     */
    V2("v2", "cpu.weight", "cgroup.procs", "cgroup.threads", 100, 1, 10_000);

    private final String kind;
    private final String weightFile;
    private final String membersFile;
    private final String threadFile;
    private final long perPcpu;
    private final long min;
    private final long max;

    CgroupVersion(String kind, String weightFile, String membersFile, String threadFile, long perPcpu, long min,
            long max) {
        this.kind = kind;
        this.weightFile = weightFile;
        this.membersFile = membersFile;
        this.threadFile = threadFile;
        this.perPcpu = perPcpu;
        this.min = min;
        this.max = max;
    }

    /** "v1" or "v2", for status and logs. */
    public String kind() {
        return kind;
    }

    /** {@code cpu.shares} or {@code cpu.weight}. */
    public String weightFile() {
        return weightFile;
    }

    /**
     * The file that moves a whole task into a cgroup and lists them: {@code tasks} (v1: any tid) or
     * {@code cgroup.procs} (v2: a pid, with all its threads).
     */
    public String membersFile() {
        return membersFile;
    }

    /** The file that moves one thread: {@code tasks} (v1) or {@code cgroup.threads} (v2). */
    public String threadFile() {
        return threadFile;
    }

    /**
     * The weight for {@code share} pCPUs: one pCPU is the default weight (1024 or 100), so a VM with a
     * share of 1 competes like one ordinary task; clamped to what the kernel accepts, NaN or <= 0 is the minimum.
     */
    public long weight(double share) {
        if (!(share > 0)) {
            return min;
        }
        return Math.max(min, Math.min(max, Math.round(share * perPcpu)));
    }
}
