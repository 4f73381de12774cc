package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClassSpecsTest {
    static ProcessClass.Builder web() {
        return ProcessClass.newBuilder().setName("web").setComm("nginx");
    }

    record Refused(String name, SetProcessClasses.Builder request, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static SetProcessClasses.Builder one(ProcessClass.Builder c) {
        return SetProcessClasses.newBuilder().addClasses(c).setLeaseMs(10_000);
    }

    static Stream<Refused> refusals() {
        SetProcessClasses.Builder seventeen = SetProcessClasses.newBuilder().setLeaseMs(10_000);
        IntStream.range(0, 17).forEach(i -> seventeen.addClasses(web().setName("c" + i)));
        return Stream.of(
                new Refused("upper case name", one(web().setName("Web")), "is not 1..32 characters"),
                new Refused("empty name", one(web().setName("")), "is not 1..32 characters"),
                new Refused("long name", one(web().setName("a".repeat(33))), "is not 1..32 characters"),
                new Refused("dot in name", one(web().setName("a.b")), "is not 1..32 characters"),
                new Refused("no rule", one(ProcessClass.newBuilder().setName("web")), "no rule"),
                new Refused("long comm", one(web().setComm("x".repeat(65))), "comm is 65 characters, at most 64"),
                new Refused("long cmdline", one(web().setCmdline("x".repeat(257))), "cmdline is 257"),
                new Refused("relative cgroup", one(web().setCgroup("system.slice")), "not an absolute path"),
                new Refused("unit with slash", one(web().setUnit("a/b")), "contains '/'"),
                new Refused("weight too high", one(web().setCpuWeight(10_001)), "cpu_weight 10001 is outside 1..10000"),
                new Refused("quota too small", one(web().setQuotaUs(999)), "quota_us 999 is outside"),
                new Refused("quota too large", one(web().setQuotaUs(100_000 * 8192 + 1)), "quota_us 819200001"),
                new Refused("duplicate names", one(web()).addClasses(web()), "appears twice"),
                new Refused("17 classes", seventeen, "17 classes, at most 16"),
                new Refused("no lease", one(web()).setLeaseMs(0), "lease_ms 0 is outside 1000..3600000"),
                new Refused("lease too long", one(web()).setLeaseMs(3_600_001), "lease_ms 3600001"),
                new Refused("lease above 2^31", one(web()).setLeaseMs(-1), "lease_ms 4294967295"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refused(Refused r) {
        ClassSpecs.Refusal e = assertThrows(ClassSpecs.Refusal.class, () -> ClassSpecs.validate(r.request().build()));
        assertTrue(e.getMessage().contains(r.says()), e.getMessage());
    }

    @Test
    void weightZeroIsTheDefaultAndBoundsAreInclusive() throws ClassSpecs.Refusal {
        ClassSpecs.Validated v = ClassSpecs.validate(one(web().setQuotaUs(1000)).addClasses(
                web().setName("b_2-x").setCpuWeight(10_000).setQuotaUs(100_000 * 8192)).setLeaseMs(1000).build());
        assertEquals(ClassSpecs.DEFAULT_WEIGHT, v.classes().get(0).cpuWeight());
        assertEquals(1000, v.classes().get(0).quotaUs());
        assertEquals(10_000, v.classes().get(1).cpuWeight());
        assertEquals(1000, v.leaseMs());
    }

    @Test
    void anEmptySetNeedsNoLease() throws ClassSpecs.Refusal {
        ClassSpecs.Validated v = ClassSpecs.validate(SetProcessClasses.newBuilder().setLeaseMs(5).build());
        assertTrue(v.classes().isEmpty());
        assertEquals(0, v.leaseMs());
    }
}
