package io.vcpubal.host.link;

/** How the host sees a VM's agent. */
public enum AgentState {
    /** No agent answers (socket absent, guest not booted, agent stopped): the VM is pinned only. */
    NO_AGENT,
    /** Connected to the port, our Hello sent, no guest Hello yet (or the guest went quiet). */
    CONNECTING,
    /** The guest answered Hello and reports facts. */
    CONNECTED,
    /** The guest speaks another protocol major; not retried until it reconnects. */
    INCOMPATIBLE
}
