package io.vcpubal.host.control;

import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.accounting.TopViews;
import io.vcpubal.host.daemon.VmStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A daemon stand-in that records the weights it is given. */
final class RecordingHandler implements ControlHandler {
    final List<String> weights = new CopyOnWriteArrayList<>();

    @Override
    public List<VmStatus> status() {
        return List.of();
    }

    @Override
    public TopView top(int rows) {
        return TopViews.overcommitted();
    }

    @Override
    public void setWeight(String vm, int weight) {
        weights.add(vm + "=" + weight);
    }
}
