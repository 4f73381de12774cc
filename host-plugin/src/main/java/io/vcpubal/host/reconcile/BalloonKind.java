package io.vcpubal.host.reconcile;

/** How one balloon takes vCPUs out of use: the two modes of {@code SetOnlineVcpus.mode}. */
public enum BalloonKind {
    HOTPLUG("hotplug"), FENCE("fence");

    private final String id;

    BalloonKind(String id) {
        this.id = id;
    }

    /** The label of the balloon metrics. */
    public String id() {
        return id;
    }
}
