package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.stream.Stream;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may do what, table-driven over named peers; no sockets involved. */
class ControlAccessTest {
    record User(String name) implements UserPrincipal {
        @Override
        public String getName() {
            return name;
        }
    }

    record Group(String name) implements GroupPrincipal {
        @Override
        public String getName() {
            return name;
        }
    }

    static final User ROOT = new User("root");
    static final User DAEMON_USER = new User("vcpubal");
    static final Group READ_ONLY = new Group("vcpubal-ro");

    static final ControlAccess WITH_READ_ONLY_GROUP = new ControlAccess(ROOT, DAEMON_USER, READ_ONLY);
    static final ControlAccess WITHOUT = new ControlAccess(ROOT, DAEMON_USER, null);

    static UnixDomainPrincipal peer(String user, String group) {
        return new UnixDomainPrincipal(new User(user), new Group(group));
    }

    record Case(String name, ControlAccess access, UnixDomainPrincipal peer, String op, String refusal) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String stranger = "user bob (primary group users) may not use the vcpubal-host control socket: only root or"
                + " the daemon's user (vcpubal) may";
        return Stream.of(
                new Case("root may set weights", WITH_READ_ONLY_GROUP, peer("root", "root"), "set-weight", null),
                new Case("root in any group", WITHOUT, peer("root", "users"), "set-weight", null),
                new Case("the daemon's user may set weights", WITHOUT, peer("vcpubal", "vcpubal"), "set-weight", null),
                new Case("the daemon's user gets to see unknown ops refused by the protocol", WITHOUT,
                        peer("vcpubal", "vcpubal"), "reboot", null),
                new Case("the read-only group may ask for status", WITH_READ_ONLY_GROUP, peer("alice", "vcpubal-ro"),
                        "status", null),
                new Case("the read-only group may not set weights", WITH_READ_ONLY_GROUP, peer("alice", "vcpubal-ro"),
                        "set-weight", "user alice (primary group vcpubal-ro) may only ask for status or top; set-weight needs"
                                + " root or the daemon's user (vcpubal)"),
                new Case("without a read-only group that group is nobody special", WITHOUT,
                        peer("alice", "vcpubal-ro"), "status", "user alice (primary group vcpubal-ro) may not use the"
                                + " vcpubal-host control socket: only root or the daemon's user (vcpubal) may"),
                new Case("a stranger may not even ask for status", WITH_READ_ONLY_GROUP, peer("bob", "users"), "status",
                        stranger + ", and for status or top a process whose primary group is vcpubal-ro"),
                new Case("a stranger without read-only group configured", WITHOUT, peer("bob", "users"), "set-weight",
                        stranger));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        assertEquals(c.refusal(), c.access().refusal(c.peer(), c.op()));
    }
}
