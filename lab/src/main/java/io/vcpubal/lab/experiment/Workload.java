package io.vcpubal.lab.experiment;

/** The experiment's workloads; {@link #id} is what {@code WorkloadMain} takes and what results name. */
public enum Workload {
    LOCK("lock", "lock/futex-heavy: 10 M short critical sections under one contended JVM monitor (spin, then futex)"),
    BARRIER("barrier", "barrier-heavy (streamcluster-like): 24000 small steps, a spin-then-block barrier after each"),
    HISTOGRAM("histogram", "Phoenix histogram: 5 passes over 10 M generated RGB pixels"),
    WORDCOUNT("wordcount", "Phoenix word count of 16 MB of generated text"),
    PARALLEL("parallel", "embarrassingly parallel control: independent arithmetic");

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

    /** The workload with this id; throws IllegalArgumentException naming the valid ids. */
    public static Workload byId(String id) {
        return EnumIds.byId(values(), Workload::id, "workload", id);
    }
}
