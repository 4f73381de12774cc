package io.vcpubal.host.control;

import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.daemon.VmStatus;
import java.util.List;

/**
 * What the control socket asks of the daemon; {@link ControlServer} adapts a {@code HostDaemon} to it, tests
 * pass a fake. An exception's message becomes the answer's {@code error}.
 */
public interface ControlHandler {
    /** The {@code status} op. */
    List<VmStatus> status() throws Exception;

    /** The {@code top} op: at most {@code rows} processes (and as many classes) of all VMs, busiest first. */
    default TopView top(int rows) throws Exception {
        throw new UnsupportedOperationException("top is not supported here");
    }

    /** The {@code set-weight} op. */
    void setWeight(String vm, int weight) throws Exception;

    /** The {@code add-vm} op: a VM spec as {@code run --vm} takes it. */
    default void addVm(String spec) throws Exception {
        throw new UnsupportedOperationException("add-vm is not supported here");
    }

    /** The {@code remove-vm} op. */
    default void removeVm(String vm) throws Exception {
        throw new UnsupportedOperationException("remove-vm is not supported here");
    }

    /** The {@code notify} op: the libvirt hook's hint that domain {@code vm} had {@code event}. */
    default void notify(String vm, String event) throws Exception {
        throw new UnsupportedOperationException("notify is not supported here");
    }
}
