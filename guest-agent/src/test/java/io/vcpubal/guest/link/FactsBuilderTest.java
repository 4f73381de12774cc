package io.vcpubal.guest.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.apps.AppContention;
import io.vcpubal.guest.balloon.BalloonPolicy;
import io.vcpubal.guest.balloon.VcpuBalloon;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.guest.lease.MonotonicClock;
import io.vcpubal.guest.metrics.ProcessSampler;
import io.vcpubal.guest.metrics.SystemSampler;
import io.vcpubal.guest.balloon.CpuUsage;
import io.vcpubal.guest.policy.ClassView;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.ClassState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.GuestFacts;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reports built from the real /proc and /sys files captured in a 2-vCPU VM (fixtures/this-vm). */
class FactsBuilderTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(FactsBuilderTest.class.getResource("/fixtures/" + name).toURI());
    }

    private static FactsBuilder builder(Path root, AppContention apps, int processPeriodMs) {
        CpuSysfs sysfs = new CpuSysfs(root);
        BalloonLease lease = new BalloonLease(new VcpuBalloon(sysfs, BalloonPolicy.DEFAULT), MonotonicClock.create());
        return new FactsBuilder(new SystemSampler(root), new ProcessSampler(root, 16), sysfs, lease, apps, 1000,
                processPeriodMs);
    }

    @Test
    void aReportCarriesPerCpuTicksPsiAndContentionWithinTheBounds() throws Exception {
        AppContention apps = new AppContention();
        apps.add(3, 40);
        GuestFacts f = builder(fixture("this-vm"), apps, 1000).build();
        assertEquals(2, f.getCpuTicksCount());
        assertTrue(f.getCpuTicks(0).getUserTicks() > 0);
        assertEquals("0-1", f.getOnlineCpus());
        assertTrue(f.hasCpuPressure());
        assertEquals(100, f.getUserHz());
        assertEquals(3, f.getContention().getAppBlockedCount());
        assertEquals(40, f.getContention().getAppBlockedMs());
        assertFalse(f.getLease().getActive());
        assertTrue(f.getProcessesCount() <= Bounds.MAX_PROCESSES);
        assertTrue(f.getSerializedSize() < Bounds.MAX_FRAME_BYTES / 100, "a report is small: " + f.getSerializedSize());
    }

    @Test
    void withoutPsiThePressureIsAbsentAndMarkedUnknown() throws Exception {
        GuestFacts f = builder(fixture("kernel-without-psi"), new AppContention(), 1000).build();
        assertFalse(f.hasCpuPressure());
        assertEquals(-1, f.getContention().getPsiSomeAvg10());
    }

    @Test
    void everyReportCarriesTheClassesAndEachProcessItsClass(@TempDir Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("proc/100"));
        String stat = "100 (nginx) S 1 100 100 0 -1 4194560 0 0 0 0 %d 1 0 0 20 0 1 0 77 0 0 18446744073709551615"
                + " 0 0 0 0 0 0 0 0 65536 1 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        java.nio.file.Files.writeString(root.resolve("proc/100/stat"), String.format(stat, 3));
        ClassState web = ClassState.newBuilder().setName("web").setProcesses(1).setUsageUs(5000).setCpuWeight(300).build();
        ClassView view = new ClassView() {
            @Override
            public List<ClassState> states() {
                return List.of(web);
            }

            @Override
            public Optional<String> classOf(int pid) {
                return pid == 100 ? Optional.of("web") : Optional.empty();
            }
        };
        CpuSysfs sysfs = new CpuSysfs(root);
        BalloonLease lease = new BalloonLease(new VcpuBalloon(sysfs, BalloonPolicy.DEFAULT), MonotonicClock.create());
        FactsBuilder b = new FactsBuilder(new SystemSampler(root), new ProcessSampler(root, 16),
                () -> new CpuUsage(CpuSet.of(0), CpuSet.empty()), lease, new AppContention(), view, 1000, 1000);
        assertEquals(List.of(web), b.build().getClassesList(), "also in the baseline");
        java.nio.file.Files.writeString(root.resolve("proc/100/stat"), String.format(stat, 50));

        GuestFacts f = b.build();

        assertEquals(List.of(web), f.getClassesList());
        assertEquals("web", f.getProcesses(0).getClassName());
    }

    @Test
    void theProcessListIsRefreshedOnlyEveryProcessPeriod() throws Exception {
        FactsBuilder b = builder(fixture("this-vm"), new AppContention(), 3000);
        b.build(); // baseline scan
        GuestFacts second = b.build();
        GuestFacts third = b.build();
        assertEquals(second.getProcessesList(), third.getProcessesList(), "reused between scans");
    }
}
