package io.vcpubal.host.cgroup;

import java.util.List;

/** Real /proc/self/mounts excerpts, one per kind of host. */
final class MountTables {

    private MountTables() {
    }

    /** This lab host (Debian 12 VM, 2026-12): v1 controllers plus an unified v2 that only has hugetlb. */
    static final List<String> LAB_V1 = List.of(
            "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
            "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0",
            "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0",
            "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0",
            "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0",
            "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
            "cgroup /sys/fs/cgroup/devices cgroup rw,relatime,devices 0 0",
            "cgroup /sys/fs/cgroup/freezer cgroup rw,relatime,freezer 0 0",
            "cgroup /sys/fs/cgroup/blkio cgroup rw,relatime,blkio 0 0",
            "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0",
            "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0",
            "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0");
    static final String LAB_V1_UNIFIED_CONTROLLERS = "hugetlb\n";

    /** Debian 12 / Ubuntu 22.04 / RHEL 9 with systemd: pure v2. */
    static final List<String> PURE_V2 = List.of(
            "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0",
            "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0",
            "pstore /sys/fs/pstore pstore rw,nosuid,nodev,noexec,relatime 0 0");
    static final String PURE_V2_CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma misc\n";

    /** Ubuntu 20.04 with systemd's hybrid layout: the unified v2 has no controllers at all. */
    static final List<String> HYBRID = List.of(
            "tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0",
            "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0",
            "cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0",
            "cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset 0 0",
            "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0",
            "cgroup /sys/fs/cgroup/net_cls,net_prio cgroup rw,nosuid,nodev,noexec,relatime,net_cls,net_prio 0 0");

    /** CentOS 7: v1 only, cpu comounted after cpuacct. */
    static final List<String> LEGACY_V1 = List.of(
            "cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd 0 0",
            "cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset 0 0",
            "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct,cpu 0 0");

    /** A container that was given cpuset and cpuacct but not cpu. */
    static final List<String> NO_CPU = List.of(
            "cgroup /sys/fs/cgroup/cpuset cgroup ro,nosuid,nodev,noexec,relatime,cpuset 0 0",
            "cgroup /sys/fs/cgroup/cpuacct cgroup ro,nosuid,nodev,noexec,relatime,cpuacct 0 0");
}
