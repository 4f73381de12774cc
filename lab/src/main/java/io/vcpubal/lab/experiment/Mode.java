package io.vcpubal.lab.experiment;

/** How the same guests are scheduled for a run; {@link #DEFAULT} is the baseline everything is normalised to. */
public enum Mode {
    DEFAULT("default", "all vCPUs online, unpinned: the host's scheduler (the paper's CFS/credit baseline)"),
    AFFINITY("affinity", "all vCPUs online, each vCPU of a VM pinned to a different pCPU"),
    VCPUBAL("vcpubal", "the host plugin plans by weight and demand (idle VMs lend), balloons the guests (balloon=auto:"
            + " fence while lending or borrowing, hotplug at the entitlement) and pins each online vCPU"),
    VCPUBAL_STATIC("vcpubal-static", "the host plugin plans by weight alone (demand-aware = false), hotplugs and pins"),
    VCPUBAL_FENCE("vcpubal-fence", "as vcpubal-static, but the guests fence the vCPUs instead of hotplugging them"),
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
        return this == VCPUBAL || this == VCPUBAL_STATIC || this == VCPUBAL_FENCE;
    }

    /** The host plugin's balloon mode for the guests. */
    public io.vcpubal.host.config.BalloonChoice balloon() {
        return switch (this) {
            case VCPUBAL_FENCE -> io.vcpubal.host.config.BalloonChoice.FENCE;
            case VCPUBAL_STATIC -> io.vcpubal.host.config.BalloonChoice.HOTPLUG;
            default -> io.vcpubal.host.config.BalloonChoice.AUTO;
        };
    }

    /**
     * Whether the host plugin lends what idle VMs leave (issue 13). vcpubal-static and vcpubal-fence are the
     * weight-only plan, so that the two differ in the balloon alone.
     */
    public boolean demandAware() {
        return this == VCPUBAL;
    }

    public String description() {
        return description;
    }

    /** The mode with this id; throws naming the known ones. */
    public static Mode byId(String id) {
        return EnumIds.byId(values(), Mode::id, "mode", id);
    }
}
