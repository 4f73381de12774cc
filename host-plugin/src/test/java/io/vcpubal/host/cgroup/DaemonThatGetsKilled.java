package io.vcpubal.host.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in daemon run in its own JVM by {@link VmCgroupsRealTest}: puts one process into a VM cgroup,
 * says "applied" and waits to be killed with SIGKILL. Arguments: VM name, pid.
 */
public final class DaemonThatGetsKilled {
    private DaemonThatGetsKilled() {
    }

    public static void main(String[] args) throws Exception {
        String vm = args[0];
        int pid = Integer.parseInt(args[1]);
        VmCgroups cgroups = VmCgroups.open(Path.of("/"));
        if (!cgroups.ownsHost()) {
            System.out.println("not-owner");
            return;
        }
        cgroups.apply(vm, 0.25, List.of(pid), pid);
        System.out.println("applied");
        System.out.flush();
        Thread.sleep(120_000);
    }
}
