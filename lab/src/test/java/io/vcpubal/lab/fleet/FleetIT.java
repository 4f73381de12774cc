package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.GuestImageCache;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small fleet in the suite (the figures for 50..500 VMs come from {@code ./run-lab --fleet N}): the real daemon
 * in its own JVM adopts 30 simulated VMs, 3 of them hostile (junk, flood, silence), balloons and pins every
 * honest one to its plan, re-plans a weight change, and the honest guests never lose contact.
 */
class FleetIT {
    @TempDir
    Path work;

    @Test
    void honestGuestsConvergeAroundHostileOnes() throws Exception {
        FleetBench.quietAgents();
        Fleet.Options o = new Fleet.Options(30, 16, 10, Duration.ofSeconds(2), Duration.ofSeconds(5), 7, work,
                GuestImageCache.defaultCache().dir());
        FleetFigures f;
        // run() itself fails unless every honest guest reaches its planned set, after adoption and after the change
        try (Fleet fleet = new Fleet(o, line -> System.out.println("lab: " + line))) {
            f = fleet.run();
        }
        f.lines().forEach(System.out::println);
        assertEquals(3, f.hostileVms());
        assertEquals(0, f.staleHonest(), "every honest agent still reporting at the end");
        assertEquals(f.pins(), f.pinsInKernel(), "every vCPU pin the daemon reports is the thread's affinity in the kernel");
        assertTrue(f.pins() >= 30, "each VM has its vCPUs pinned: " + f.pins());
        assertTrue(f.retargeted() > 0, "quadrupling 3 weights on 16 pCPUs moves some online targets");
        assertTrue(f.hostile().get("junk").contains("dropped") && !f.hostile().get("junk").contains("dropped 0 B"),
                "the junk guest's bytes were dropped: " + f.hostile());
        assertTrue(!f.hostile().get("flood").contains("throttled 0 times"), "the flooding guest was throttled: " + f.hostile());
        assertTrue(f.hostile().get("silent").contains("agent {connecting=1}"),
                "the silent guest never counted as an agent: " + f.hostile());
    }
}
