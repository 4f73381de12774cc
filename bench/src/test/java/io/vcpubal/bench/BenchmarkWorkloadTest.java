package io.vcpubal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.codec.FrameFormat;
import io.vcpubal.protocol.v1.Envelope;
import org.junit.jupiter.api.Test;

/**
 * Calls every benchmark method once, outside JMH, and checks it does the work it claims (no timing here:
 * the benchmarks themselves run only by hand, see bench/README.md).
 */
class BenchmarkWorkloadTest {

    @Test
    void plannerBenchmarksPlanTheThousandVmsAndKeepPins() {
        PlannerBenchmark bench = new PlannerBenchmark();
        bench.setUp();
        assertEquals(512, bench.topology.numCpus());
        Plan first = bench.firstPlan();
        assertEquals(1000, first.vms().size());
        assertEquals(512.0, first.totalShare(), 1e-6);

        Plan replanned = bench.replanAfterWeightChange();
        String changed = "vm" + PlannerWorkload.CHANGED_VM;
        assertTrue(replanned.vm(changed).share() > first.vm(changed).share(), "the heavier VM gets more");
        // Stability: no vCPU that stays dedicated moves.
        for (VmPlan before : first.vms()) {
            VmPlan after = replanned.vm(before.name());
            for (int i = 0; i < Math.min(before.dedicatedVcpus(), after.dedicatedVcpus()); i++) {
                CpuSet was = before.vcpuPins().get(i);
                if (!replanned.vm(changed).dedicatedCpus().contains(was.first())) {
                    assertEquals(was, after.vcpuPins().get(i), before.name() + " vCPU " + i);
                }
            }
        }
        assertEquals(first.vms(), bench.replanUnchanged().vms(), "nothing changed, nothing moves");
    }

    @Test
    void codecBenchmarksRoundTripTheTypicalReport() throws Exception {
        CodecBenchmark bench = new CodecBenchmark();
        bench.setUp();
        try {
            Envelope expected = TypicalFacts.envelope();
            assertEquals(2, expected.getFacts().getCpuTicksCount());
            assertEquals(16, expected.getFacts().getProcessesCount());
            assertTrue(expected.getFacts().hasContention() && expected.getFacts().getLease().getActive());
            int payload = expected.getSerializedSize();
            assertTrue(payload > 500 && payload < 4096, "typical report size " + payload);

            assertEquals(payload + FrameFormat.OVERHEAD, bench.pipelineEncode());
            assertEquals(expected, bench.pipelineDecode());
            assertEquals(expected, bench.pipelineRoundTrip());
            assertEquals(payload, bench.framingOnlyRoundTrip());
            assertEquals(payload, bench.protobufSerialize().length);
            assertEquals(expected, bench.protobufParse());
            assertEquals(expected, bench.protobufRoundTrip());
            assertNotEquals(0, bench.frame.length);
        } finally {
            bench.tearDown();
        }
    }
}
