package io.vcpubal.guest.fence;

import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Chooses the fence a guest can have, or says why it can have none (then the agent offers hotplug only). */
public final class Fences {
    private Fences() {}

    /** The real guest: {@code root} is "/", cgroup v2 is mounted through libc when nothing mounted it. */
    public static CpuFence forGuest(Path root, CpuSysfs sysfs) {
        ExecutorService steering = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vcpubal-fence");
            t.setDaemon(true);
            return t;
        });
        return probe(root, sysfs, CpuSysfs.FILE_WRITER, Cgroup2Mount.LIBC, steering);
    }

    static CpuFence probe(Path root, CpuSysfs sysfs, CpuSysfs.OnlineWriter writer, Cgroup2Mount.Mounter mounter,
                          Executor steering) {
        try {
            if (Files.isDirectory(root.resolve("run/systemd/system"))) {
                // systemd owns the cgroup tree: a group of the agent's next to its slices would move processes
                // out of their units behind systemd's back. The systemd way (AllowedCPUs= on the top-level
                // slices) is not built yet.
                return CpuFence.unavailable("systemd manages this guest's cgroups and fencing through its"
                        + " AllowedCPUs= is not supported yet");
            }
            if (Cgroup2Mount.hasV1Cpuset(root)) {
                return CpuFence.unavailable("the cpuset controller is bound to a cgroup v1 hierarchy");
            }
            Optional<Path> cgroupRoot = Cgroup2Mount.findOrMount(root, mounter);
            if (cgroupRoot.isEmpty()) {
                return CpuFence.unavailable("no cgroup v2 hierarchy and no /sys/fs/cgroup to mount one on");
            }
            if (!Cgroup2Mount.offers(cgroupRoot.get(), "cpuset")) {
                return CpuFence.unavailable("the kernel offers no cpuset controller in "
                        + cgroupRoot.get().resolve("cgroup.controllers"));
            }
            return new CgroupFence(cgroupRoot.get(), root, writer, () -> sysfs.possible().orElse(CpuSet.empty()), steering);
        } catch (IOException e) {
            return CpuFence.unavailable("cgroup v2 not usable: " + e.getMessage());
        }
    }
}
