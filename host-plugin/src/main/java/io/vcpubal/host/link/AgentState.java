package io.vcpubal.host.link;

/** How the host sees a VM's agent. */
public enum AgentState {
    /**
     * No agent answers (socket absent, guest not booted, agent stopped or silent for five report periods, at least {@link GuestLink#QUIET_AFTER}):
     * the VM is pinned only. Hello is repeated every second while the socket is open.
     */
    NO_AGENT,
    /** Connected to the port, our Hello sent, no guest Hello yet. */
    CONNECTING,
    /** The guest answered Hello and reports facts. */
    CONNECTED,
    /**
     * The guest speaks another protocol major: the host said so and closed the link. Kept until a compatible
     * Hello arrives; each reconnect (backed off, as the link ends at once) greets once more.
     */
    INCOMPATIBLE
}
