package io.vcpubal.lab.experiment;

/** The experiment's workloads; {@link #id} is what {@code WorkloadMain} takes and what results name. */
public enum Workload {
    LOCK("lock", "lock/futex-heavy: 10 M short critical sections under one contended JVM monitor (spin, then futex)"),
    BARRIER("barrier", "barrier-heavy (streamcluster-like): 24000 small steps, a spin-then-block barrier after each"),
    HISTOGRAM("histogram", "Phoenix histogram: 5 passes over 10 M generated RGB pixels"),
    WORDCOUNT("wordcount", "Phoenix word count of 16 MB of generated text"),
    PARALLEL("parallel", "embarrassingly parallel control: independent arithmetic"),
    PHASED("phased", "the first VM does fixed work-stealing arithmetic on a worker per possible vCPU, the others are"
            + " busy 4 s / idle 4 s in turns; the first VM's time is the figure"),
    SERVER("server", "request/response: 2 clients per possible vCPU, 50 ms think time, 600 requests of 14 ms"
            + " (TCG) each; time, p50/p99 latency and requests/s");

    private final String id;
    private final String description;

    Workload(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** What guest {@code index} (0 = the first) runs: in {@code phased} only the first one's time counts. */
    public String commandFor(int index) {
        return this == PHASED && index > 0 ? HELPER : id;
    }

    /** The id of the phased workload's other VMs; their runs are not results. */
    public static final String HELPER = "phased-helper";

    /** The workload with this id; throws IllegalArgumentException naming the valid ids. */
    public static Workload byId(String id) {
        return EnumIds.byId(values(), Workload::id, "workload", id);
    }
}
