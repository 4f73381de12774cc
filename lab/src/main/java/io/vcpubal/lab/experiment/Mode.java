package io.vcpubal.lab.experiment;

/** How the same guests are scheduled for a run; {@link #DEFAULT} is the baseline everything is normalised to. */
public enum Mode {
    DEFAULT("default", "all vCPUs online, unpinned: the host's scheduler (the paper's CFS/credit baseline)"),
    AFFINITY("affinity", "all vCPUs online, each vCPU of a VM pinned to a different pCPU"),
    VCPUBAL("vcpubal", "the host plugin plans by weight, balloons the guests and pins each online vCPU"),
    VCPUBAL_FENCE("vcpubal-fence", "as vcpubal, but the guests fence the vCPUs out of use instead of hotplugging them"),
    IDEAL("ideal", "hand-made static reference: one vCPU online per pCPU of share, pinned 1:1, no host plugin");

    private final String id;
    private final String description;

    Mode(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    /** Whether the host plugin runs in this mode. */
    public boolean usesHostPlugin() {
        return this == VCPUBAL || this == VCPUBAL_FENCE;
    }

    public String description() {
        return description;
    }

    /** The mode with this id; throws naming the known ones. */
    public static Mode byId(String id) {
        return EnumIds.byId(values(), Mode::id, "mode", id);
    }
}
