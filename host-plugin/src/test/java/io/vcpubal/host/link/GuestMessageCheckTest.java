package io.vcpubal.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.v1.Contention;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.GuestInfo;
import io.vcpubal.protocol.v1.ProcessCpu;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host's bounds on what an untrusted guest sends. */
class GuestMessageCheckTest {
    @Test
    void aNormalReportPasses() {
        GuestFacts f = GuestFacts.newBuilder().setOnlineCpus("0-1")
                .addProcesses(ProcessCpu.newBuilder().setPid(1).setName("init"))
                .setContention(Contention.newBuilder().setStealShare(0.3)).build();
        assertEquals(Optional.empty(), GuestMessageCheck.problemWith(f));
    }

    @Test
    void tooManyProcessesLongNamesAndImpossibleSharesAreRejected() {
        GuestFacts.Builder many = GuestFacts.newBuilder();
        for (int i = 0; i < 65; i++) {
            many.addProcesses(ProcessCpu.newBuilder().setPid(i));
        }
        assertTrue(GuestMessageCheck.problemWith(many.build()).orElseThrow().contains("65 processes"));
        assertTrue(GuestMessageCheck.problemWith(GuestFacts.newBuilder()
                .addProcesses(ProcessCpu.newBuilder().setName("x".repeat(33))).build()).isPresent());
        assertTrue(GuestMessageCheck.problemWith(GuestFacts.newBuilder()
                .setContention(Contention.newBuilder().setStealShare(Double.NaN)).build()).isPresent());
        assertTrue(GuestMessageCheck.problemWith(GuestFacts.newBuilder()
                .setContention(Contention.newBuilder().setStealShare(1.5)).build()).isPresent());
        assertTrue(GuestMessageCheck.problemWith(GuestFacts.newBuilder().setOnlineCpus("0,".repeat(3000)).build()).isPresent());
    }

    @Test
    void tooManyClassesAndLongClassNamesAreRejected() {
        GuestFacts.Builder many = GuestFacts.newBuilder();
        for (int i = 0; i < 17; i++) {
            many.addClasses(io.vcpubal.protocol.v1.ClassState.newBuilder().setName("c" + i));
        }
        assertTrue(GuestMessageCheck.problemWith(many.build()).orElseThrow().contains("17 classes"));
        GuestFacts longName = GuestFacts.newBuilder()
                .addClasses(io.vcpubal.protocol.v1.ClassState.newBuilder().setName("c".repeat(33))).build();
        assertTrue(GuestMessageCheck.problemWith(longName).orElseThrow().contains("class name longer"));
        GuestFacts longProcessClass = GuestFacts.newBuilder()
                .addProcesses(ProcessCpu.newBuilder().setPid(1).setClassName("c".repeat(33))).build();
        assertTrue(GuestMessageCheck.problemWith(longProcessClass).orElseThrow().contains("process class name longer"));
        GuestFacts fine = GuestFacts.newBuilder()
                .addClasses(io.vcpubal.protocol.v1.ClassState.newBuilder().setName("batch").setUsageUs(5)).build();
        assertEquals(Optional.empty(), GuestMessageCheck.problemWith(fine));
    }

    @Test
    void anOversizedHelloIsRejected() {
        assertTrue(GuestMessageCheck.problemWith(GuestInfo.newBuilder().setHostname("h".repeat(200)).build()).isPresent());
        assertEquals(Optional.empty(), GuestMessageCheck.problemWith(GuestInfo.newBuilder().setOnlineCpus("0-3").build()));
    }
}
