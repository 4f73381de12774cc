package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CpuCgroupDetectorTest {

    /** @param v2Controllers cgroup.controllers by v2 mount point; @param expected "v1 /mount", "v2 /mount" or "none" */
    record Case(String name, List<String> mounts, Map<String, String> v2Controllers, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("lab host: v1 cpu, unified v2 with hugetlb only", MountTables.LAB_V1,
                        Map.of("/sys/fs/cgroup/unified", MountTables.LAB_V1_UNIFIED_CONTROLLERS), "v1 /sys/fs/cgroup/cpu"),
                new Case("pure v2", MountTables.PURE_V2,
                        Map.of("/sys/fs/cgroup", MountTables.PURE_V2_CONTROLLERS), "v2 /sys/fs/cgroup"),
                new Case("hybrid: empty unified v2 loses to v1 cpu,cpuacct", MountTables.HYBRID,
                        Map.of("/sys/fs/cgroup/unified", ""), "v1 /sys/fs/cgroup/cpu,cpuacct"),
                new Case("legacy v1, cpuacct,cpu", MountTables.LEGACY_V1, Map.of(), "v1 /sys/fs/cgroup/cpu,cpuacct"),
                new Case("v2 without the cpu controller", MountTables.PURE_V2,
                        Map.of("/sys/fs/cgroup", "cpuset io memory pids\n"), "none"),
                new Case("container without cpu", MountTables.NO_CPU, Map.of(), "none"),
                new Case("no cgroups mounted", List.of("proc /proc proc rw 0 0"), Map.of(), "none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choosesTheHierarchyWithCpu(Case c) {
        Optional<CgroupMounts.Mount> chosen = CpuCgroupDetector.choose(CgroupMounts.parse(c.mounts()),
                m -> c.v2Controllers().getOrDefault(m.mountPoint(), ""));
        assertEquals(c.expected(), chosen.map(m -> m.version().kind() + " " + m.mountPoint()).orElse("none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detectsFromAFixtureTree(Case c, @TempDir Path root) throws IOException {
        CgroupFixture.writeMounts(root, c.mounts());
        for (Map.Entry<String, String> e : c.v2Controllers().entrySet()) {
            Path dir = root.resolve(e.getKey().substring(1));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cgroup.controllers"), e.getValue());
        }
        Optional<CpuController> found = CpuCgroupDetector.detect(root);
        assertEquals(c.expected().equals("none") ? "none" : c.expected().replace(" /", " " + root + "/"),
                found.map(f -> f.version().kind() + " " + f.mount()).orElse("none"));
    }

    @Test
    void anUnreadableMountTableIsAnError(@TempDir Path root) {
        assertThrows(NoSuchFileException.class, () -> CpuCgroupDetector.detect(root));
    }

    @Test
    void onThisMachineTheWeightFileExists() throws IOException {
        Optional<CpuController> found = CpuCgroupDetector.detect(Path.of("/"));
        assumeTrue(found.isPresent(), "no cpu controller mounted here");
        Path weight = found.get().mount().resolve(found.get().version().weightFile());
        // The hierarchy root of v2 has no cpu.weight; its children do.
        assertEquals(found.get().version() == CgroupVersion.V1, Files.exists(weight), weight.toString());
    }
}
