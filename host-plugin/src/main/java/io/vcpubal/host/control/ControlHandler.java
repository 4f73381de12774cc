package io.vcpubal.host.control;

import io.vcpubal.host.daemon.VmStatus;
import java.util.List;

/**
 * What the control socket asks of the daemon; {@link ControlServer} adapts a {@code HostDaemon} to it, tests
 * pass a fake. An exception's message becomes the answer's {@code error}.
 */
public interface ControlHandler {
    /** The {@code status} op. */
    List<VmStatus> status() throws Exception;

    /** The {@code set-weight} op. */
    void setWeight(String vm, int weight) throws Exception;
}
