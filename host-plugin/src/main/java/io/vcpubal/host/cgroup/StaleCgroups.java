package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes what a daemon killed without {@link VmCgroups#close()} left under {@code <mount>/vcpubal}: the
 * tasks still in its VM cgroups go to the hierarchy root (where they came from died with that daemon), then
 * the cgroups and {@code vcpubal} itself go. Only the holder of the owner lock may call this: a live
 * daemon's cgroups look exactly like stale ones.
 */
final class StaleCgroups {

    private StaleCgroups() {
    }

    /** @return how many VM cgroups were removed */
    static int clean(Path root, CpuController controller) throws IOException {
        Path base = controller.mount().resolve(VmCgroups.BASE);
        if (!Files.isDirectory(base)) {
            return 0;
        }
        List<Path> vms;
        try (Stream<Path> list = Files.list(base)) {
            vms = list.filter(Files::isDirectory).toList();
        }
        CgroupFs.removeTree(root, controller, base, Set.of());
        return vms.size();
    }
}
