package io.vcpubal.lab.experiment;

import io.vcpubal.host.backend.BackendException;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.VmProcess;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.lab.Guest;
import java.time.Duration;
import java.util.List;

/**
 * Sets the guests' online vCPUs and vCPU pins by hand, without the host plugin: CPU hotplug with a shell in
 * the guest, pinning with {@link QmpBackend}. QEMU serves one QMP client at a time, so {@link #close()} this
 * before the host plugin starts and open a new one after it stopped.
 */
final class GuestCpus implements AutoCloseable {
    private static final Duration T = Duration.ofSeconds(120);

    private final QmpBackend qmp = new QmpBackend(Duration.ofSeconds(10));
    private final CpuSet hostCpus;

    GuestCpus(List<Guest> guests, CpuSet hostCpus) {
        this.hostCpus = hostCpus;
        for (Guest g : guests) {
            qmp.attach(new VmConfig(g.name(), 1, g.qmpSocket(), null, 0, 0));
        }
    }

    /** Keeps vCPUs 0..count-1 of {@code g} online and the rest offline; returns the guest's online list. */
    static String setOnline(Guest g, int count) {
        // bring wanted CPUs up before taking others down, so the guest never drops below its target
        String script = "cd /sys/devices/system/cpu\n"
                + "for f in cpu[0-9]*/online; do n=${f%/online}; n=${n#cpu}; "
                + "[ $n -lt " + count + " ] && [ \"$(cat $f)\" != 1 ] && echo 1 > $f; done\n"
                + "for f in cpu[0-9]*/online; do n=${f%/online}; n=${n#cpu}; "
                + "[ $n -ge " + count + " ] && [ \"$(cat $f)\" != 0 ] && echo 0 > $f; done\n"
                + "cat online";
        return g.exec(script, T).requireOk().stdout().trim();
    }

    /** Pins each vCPU of {@code g} as given; vCPUs beyond the list are left alone. */
    void pin(Guest g, List<CpuSet> pins) throws BackendException {
        VmProcess p = qmp.observe(g.name());
        for (int v = 0; v < pins.size(); v++) {
            qmp.pinVcpu(g.name(), p, vcpu(g, p, v), pins.get(v));
        }
    }

    private static VcpuThread vcpu(Guest g, VmProcess p, int v) throws BackendException {
        VcpuThread t = p.vcpu(v);
        if (t == null) {
            throw new BackendException("guest " + g.name() + " has no vCPU " + v);
        }
        return t;
    }

    /** Every vCPU of {@code g} free to run on every host CPU. */
    void unpin(Guest g) throws BackendException {
        VmProcess p = qmp.observe(g.name());
        for (int v = 0; v < g.spec().vcpus(); v++) {
            qmp.pinVcpu(g.name(), p, vcpu(g, p, v), hostCpus);
        }
    }

    /** The host CPUs each vCPU thread of {@code g} may run on, read back from the kernel. */
    String affinities(Guest g) throws BackendException {
        StringBuilder s = new StringBuilder();
        VmProcess p = qmp.observe(g.name());
        for (int v = 0; v < g.spec().vcpus(); v++) {
            s.append(v == 0 ? "" : " ").append("vCPU").append(v).append("->").append(qmp.affinity(vcpu(g, p, v)));
        }
        return s.toString();
    }

    @Override
    public void close() {
        qmp.close();
    }
}
