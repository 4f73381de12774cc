package io.vcpubal.host.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.protocol.CpuSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OnlineSetsTest {
    record Case(String name, int target, int vcpus, String present, String offlinable, int floor, String wanted) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("plain x86 guest: cpu0 stays, highest go first", 2, 4, "0-3", "1-3", 1, "0-1"),
                new Case("a protected CPU stays and counts", 2, 4, "0-3", "1-2", 1, "0,3"),
                new Case("more protected CPUs than the target", 1, 4, "0-3", "", 1, "0-3"),
                new Case("the guest's floor wins over the plan", 1, 4, "0-3", "1-3", 3, "0-2"),
                new Case("booted with fewer CPUs than -smp", 3, 4, "0-1", "1", 1, "0-1"),
                new Case("a present CPU beyond QEMU's is ignored", 1, 2, "0-7", "1-7", 1, "0"),
                new Case("everything wanted", 4, 4, "0-3", "1-3", 1, "0-3"),
                new Case("every CPU offlinable (cpu0 hotplug enabled)", 1, 4, "0-3", "0-3", 1, "0"))
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void wantedSet(Case c) {
        GuestView g = new GuestView(CpuSet.parse(c.present()), CpuSet.parse(c.offlinable()), c.floor(), CpuSet.of(0));
        assertEquals(CpuSet.parse(c.wanted()), OnlineSets.wanted(c.target(), c.vcpus(), g));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void withoutAnAgentAllVcpusCountAsOnline(Case c) {
        assertEquals(CpuSet.range(0, c.vcpus() - 1), OnlineSets.wanted(c.target(), c.vcpus(), null));
    }
}
