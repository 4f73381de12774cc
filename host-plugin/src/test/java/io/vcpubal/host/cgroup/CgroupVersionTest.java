package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupVersionTest {

    record Case(CgroupVersion version, double share, long weight) {
    }

    static Stream<Case> weights() {
        return Stream.of(
                // v1: 1024 per pCPU, kernel range 2..262144
                new Case(CgroupVersion.V1, 1, 1024),
                new Case(CgroupVersion.V1, 0.5, 512),
                new Case(CgroupVersion.V1, 1.25, 1280),
                new Case(CgroupVersion.V1, 0.001, 2),
                new Case(CgroupVersion.V1, 0, 2),
                new Case(CgroupVersion.V1, -1, 2),
                new Case(CgroupVersion.V1, Double.NaN, 2),
                new Case(CgroupVersion.V1, 300, 262_144),
                // v2: 100 per pCPU, range 1..10000
                new Case(CgroupVersion.V2, 1, 100),
                new Case(CgroupVersion.V2, 0.5, 50),
                new Case(CgroupVersion.V2, 0.125, 13),
                new Case(CgroupVersion.V2, 2.5, 250),
                new Case(CgroupVersion.V2, 0.004, 1),
                new Case(CgroupVersion.V2, 0, 1),
                new Case(CgroupVersion.V2, 150, 10_000),
                new Case(CgroupVersion.V2, Double.POSITIVE_INFINITY, 10_000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weights")
    void weightIsProportionalToShareWithinKernelLimits(Case c) {
        assertEquals(c.weight(), c.version().weight(c.share()));
    }
}
