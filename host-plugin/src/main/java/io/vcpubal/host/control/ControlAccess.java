package io.vcpubal.host.control;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Set;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may do what on the control socket, from the peer's credentials (SO_PEERCRED): root and the daemon's
 * own user may do everything; a peer whose group is the read-only group may only ask for status and top;
 * anyone else nothing.
 *
 * <p>SO_PEERCRED carries the connecting process's effective user and primary group, not its supplementary
 * groups, so "member of the read-only group" means: that group is the process's primary group (the user's
 * login group, or run the client under {@code sg GROUP}). A supplementary member can pass the socket's mode
 * 0660 and is then refused here with a message that says so.
 */
final class ControlAccess {
    /** Ops a read-only peer may run. */
    static final Set<String> READ_ONLY_OPS = Set.of("status", "top");

    enum Level { NONE, READ, FULL }

    private final UserPrincipal root;
    private final UserPrincipal self;
    private final GroupPrincipal readOnly;

    /** @param readOnly the read-only group, null for none */
    ControlAccess(UserPrincipal root, UserPrincipal self, GroupPrincipal readOnly) {
        this.root = Objects.requireNonNull(root, "root");
        this.self = Objects.requireNonNull(self, "self");
        this.readOnly = readOnly;
    }

    Level levelOf(UnixDomainPrincipal peer) {
        if (peer.user().equals(root) || peer.user().equals(self)) {
            return Level.FULL;
        }
        return readOnly != null && peer.group().equals(readOnly) ? Level.READ : Level.NONE;
    }

    /** Null when {@code peer} may run {@code op}, else why not, naming who may. */
    String refusal(UnixDomainPrincipal peer, String op) {
        Level level = levelOf(peer);
        if (level == Level.FULL || (level == Level.READ && READ_ONLY_OPS.contains(op))) {
            return null;
        }
        String who = "user " + peer.user().getName() + " (primary group " + peer.group().getName() + ")";
        String full = "root or the daemon's user (" + self.getName() + ")";
        if (level == Level.READ) {
            return who + " may only ask for status or top; " + op + " needs " + full;
        }
        return who + " may not use the vcpubal-host control socket: only " + full + " may"
                + (readOnly == null ? "" : ", and for status or top a process whose primary group is "
                        + readOnly.getName());
    }
}
