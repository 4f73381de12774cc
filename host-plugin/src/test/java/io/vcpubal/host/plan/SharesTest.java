package io.vcpubal.host.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SharesTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("paper 512:256 on 12", 12, List.of(VmSpec.of("a", 512, 12), VmSpec.of("b", 256, 12)),
                        new double[] {8, 4}),
                Arguments.of("3:1 on 2", 2, List.of(VmSpec.of("a", 3, 2), VmSpec.of("b", 1, 2)),
                        new double[] {1.5, 0.5}),
                Arguments.of("1:1:1 on 2 (thirds)", 2,
                        List.of(VmSpec.of("a", 1, 2), VmSpec.of("b", 1, 2), VmSpec.of("c", 1, 2)),
                        new double[] {2.0 / 3, 2.0 / 3, 2.0 / 3}),
                Arguments.of("cap cascades: a capped, then b", 12,
                        List.of(VmSpec.of("a", 8, 1), VmSpec.of("b", 4, 4), VmSpec.of("c", 1, 12)),
                        new double[] {1, 4, 7}),
                Arguments.of("min raises b, a gives it up", 12,
                        List.of(VmSpec.of("a", 100, 12), new VmSpec("b", 1, 12, 4)), new double[] {8, 4}),
                Arguments.of("min and cap together", 10,
                        List.of(new VmSpec("a", 1, 5, 3), VmSpec.of("b", 10, 2), VmSpec.of("c", 3, 10)),
                        new double[] {3, 2, 5}),
                Arguments.of("min not binding", 12,
                        List.of(new VmSpec("a", 1, 12, 2), VmSpec.of("b", 1, 12)), new double[] {6, 6}),
                Arguments.of("minimums use every pCPU", 4,
                        List.of(new VmSpec("a", 1, 4, 2), new VmSpec("b", 100, 4, 2)), new double[] {2, 2}),
                Arguments.of("all capped: 3 of 12 idle", 12,
                        List.of(VmSpec.of("a", 1, 4), VmSpec.of("b", 1, 5)), new double[] {4, 5}),
                Arguments.of("thirds of 7 snap to whole numbers", 7,
                        List.of(VmSpec.of("a", 1, 7), VmSpec.of("b", 6, 7)), new double[] {1, 6}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void waterFilling(String name, int pcpus, List<VmSpec> vms, double[] expected) {
        double[] shares = Shares.compute(vms, pcpus);
        assertArrayEquals(expected, shares, 1e-12, Arrays.toString(shares));
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == Math.rint(expected[i])) {
                assertEquals(expected[i], shares[i], 0.0, "whole shares are exact");
            }
        }
    }

    @Test
    void minimumsThatDoNotFitAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shares.compute(
                List.of(new VmSpec("a", 1, 8, 8), new VmSpec("b", 1, 8, 5)), 12));
        assertEquals("the VMs' min vCPUs add up to 13, more than the 12 assignable pCPUs", e.getMessage());
    }

    @Test
    void sumIsExactEnoughForManyVms() {
        List<VmSpec> vms = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            vms.add(VmSpec.of("vm" + i, 1 + (i * 7919L) % 997, 1 + i % 8));
        }
        double[] shares = Shares.compute(vms, 512);
        assertEquals(512, Arrays.stream(shares).sum(), 1e-9);
    }
}
