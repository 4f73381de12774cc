package io.vcpubal.protocol.transport;

import java.net.SocketAddress;
import java.util.Objects;

/** The address of a {@link StreamChannel}: the name of what it reads and writes, e.g. a device path. */
public final class StreamAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    private final String name;

    /** An address called {@code name}. */
    public StreamAddress(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The stream's name. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamAddress other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
