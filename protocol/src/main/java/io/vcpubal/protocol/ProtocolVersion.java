package io.vcpubal.protocol;

import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.Hello;
import io.vcpubal.protocol.v1.Role;
import java.util.Optional;

/** The protocol version this build speaks, and the compatibility rule of vcpubal.proto. */
public final class ProtocolVersion {
    /** Majors are incompatible with each other: a mismatch closes the link. */
    public static final int MAJOR = 1;
    /** Minors only add fields and commands, which older peers ignore or refuse one by one. */
    public static final int MINOR = 2;

    private ProtocolVersion() {}

    /** The software version from the jar manifest, or "dev" when running from classes. */
    public static String softwareVersion() {
        String v = ProtocolVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A Hello of this side, without role-specific content. */
    public static Hello.Builder hello(Role role) {
        return Hello.newBuilder()
                .setRole(role)
                .setSoftwareVersion(softwareVersion())
                .setProtocolMajor(MAJOR)
                .setProtocolMinor(MINOR);
    }

    /**
     * The error to send (then close) when the peer's Hello cannot be spoken with, empty when compatible.
     * The message names both versions so that either side's log tells the operator what to upgrade.
     */
    public static Optional<Error> incompatibility(Hello peer) {
        if (peer.getProtocolMajor() == MAJOR) {
            return Optional.empty();
        }
        String text = String.format(
                "protocol major version mismatch: peer (%s, software %s) speaks %d.%d, this side speaks %d.%d;"
                        + " upgrade the older side",
                peer.getRole(), peer.getSoftwareVersion(), peer.getProtocolMajor(), peer.getProtocolMinor(),
                MAJOR, MINOR);
        return Optional.of(Error.newBuilder().setCode(Error.Code.VERSION_MISMATCH).setMessage(text).build());
    }
}
