package io.vcpubal.host.daemon;

import io.vcpubal.host.link.AgentState;
import io.vcpubal.host.link.GuestLink;
import io.vcpubal.host.reconcile.GuestView;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.GuestInfo;
import java.util.Optional;

/** Turns what a link heard from its guest into the reconciler's {@link GuestView}. */
final class GuestViews {
    private GuestViews() {}

    /** Null unless an agent is connected and everything it said parses: then the VM is handled as agentless. */
    static GuestView of(GuestLink link) {
        if (link == null || link.state() != AgentState.CONNECTED) {
            return null;
        }
        Optional<GuestInfo> info = link.guestInfo();
        Optional<String> online = link.onlineCpus();
        if (info.isEmpty() || online.isEmpty()) {
            return null;
        }
        Optional<CpuSet> present = CpuSet.tryParse(info.get().getPresentCpus());
        Optional<CpuSet> offlinable = CpuSet.tryParse(info.get().getOfflinableCpus());
        Optional<CpuSet> now = CpuSet.tryParse(online.get());
        Optional<CpuSet> fenced = CpuSet.tryParse(link.fencedCpus());
        if (present.isEmpty() || offlinable.isEmpty() || now.isEmpty() || fenced.isEmpty()) {
            return null;
        }
        return new GuestView(present.get(), offlinable.get(), Math.max(1, info.get().getMinOnlineCpus()),
                now.get().minus(fenced.get()), fenced.get().intersection(now.get()), link.offersFence());
    }
}
