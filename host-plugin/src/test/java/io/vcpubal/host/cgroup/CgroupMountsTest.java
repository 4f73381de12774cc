package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.cgroup.CgroupMounts.Mount;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {

    @Test
    void keepsOnlyCgroupMountsOfTheLabHost() {
        List<Mount> mounts = CgroupMounts.parse(MountTables.LAB_V1);
        assertEquals(10, mounts.size());
        assertEquals(9, mounts.stream().filter(m -> m.version() == CgroupVersion.V1).count());
        Mount cpu = mounts.get(0);
        assertEquals("/sys/fs/cgroup/cpu", cpu.mountPoint());
        assertTrue(cpu.hasV1Controller("cpu"));
        Mount unified = mounts.get(9);
        assertEquals(CgroupVersion.V2, unified.version());
        assertEquals("/sys/fs/cgroup/unified", unified.mountPoint());
    }

    @Test
    void cpuIsNotCpuacctNorCpuset() {
        List<Mount> mounts = CgroupMounts.parse(MountTables.NO_CPU);
        assertEquals(2, mounts.size());
        assertTrue(mounts.stream().noneMatch(m -> m.hasV1Controller("cpu")));
    }

    @Test
    void comountedControllersAreOptions() {
        Mount m = CgroupMounts.parse(MountTables.LEGACY_V1).get(2);
        assertEquals("/sys/fs/cgroup/cpu,cpuacct", m.mountPoint());
        assertTrue(m.hasV1Controller("cpu"));
        assertTrue(m.hasV1Controller("cpuacct"));
    }

    @Test
    void aV2MountHasNoV1Controllers() {
        Mount m = CgroupMounts.parse(MountTables.PURE_V2).get(0);
        assertEquals(CgroupVersion.V2, m.version());
        assertFalse(m.hasV1Controller("cpu"));
    }

    @Test
    void unescapesOctalSpaces() {
        Mount m = CgroupMounts.parse(List.of("cgroup /mnt/my\\040cgroups cgroup rw,cpu 0 0")).get(0);
        assertEquals("/mnt/my cgroups", m.mountPoint());
        assertEquals("a\\b", CgroupMounts.unescape("a\\134b"));
        assertEquals("trailing\\04", CgroupMounts.unescape("trailing\\04"));
    }

    @Test
    void skipsMalformedLines() {
        assertEquals(List.of(), CgroupMounts.parse(List.of("", "cgroup2", "cgroup /x", "garbage line here")));
    }
}
