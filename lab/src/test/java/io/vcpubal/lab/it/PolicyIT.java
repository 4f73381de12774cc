package io.vcpubal.lab.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import io.vcpubal.lab.policy.PolicyResults;
import io.vcpubal.lab.policy.PolicyScenario;
import org.junit.jupiter.api.Test;

/**
 * Both process policies on two real 2-vCPU guests sharing this host's pCPUs ({@link PolicyScenario}): idle-time
 * (b's high job beside a's low batch about as fast as alone, the batch's CPU back when b idles) and proportional
 * share (1:3 classes in different VMs get host CPU 1:3).
 */
class PolicyIT {
    @Test
    void idleTimeAndProportionalShareHoldOnRealGuests() throws Exception {
        PolicyResults r;
        try (Lab lab = Lab.start(GuestSpec.of("pol-a", 2), GuestSpec.of("pol-b", 2))) {
            r = new PolicyScenario(lab, lab.guest("pol-a"), lab.guest("pol-b")).run();
        }
        System.out.println(r.markdown());
        assertTrue(r.withoutPolicyRatio() > 1.15, "without a policy the batch should slow b's job: " + r.withoutPolicyRatio());
        // The goal (<= 1.15x alone) is the report's verdict; what must hold on every run of this noisy 2-core
        // TCG host is that the policy takes most of the batch's toll off b's job.
        // Seen on this host: 0.94-1.35x (2026-12-03), 1.17-1.59x (2026-12-04; the 1.59 run: b's last process
        // shared its pCPU with a's vCPU after the first finished and the batch's quota rose); without: 1.75-2.35x.
        assertTrue(r.withPolicyRatio() <= 1.7 && r.withPolicyRatio() < 0.85 * r.withoutPolicyRatio(),
                "idle-time: b's job " + r.withPolicyRatio() + "x alone, without the policy " + r.withoutPolicyRatio() + "x");
        assertTrue(r.batchMet(), "a's batch while b idles: " + r.batchKept());
        // The goals are 2 report periods and 1:3 +-10 % (the report gives the verdict); the bounds here leave room
        // for TCG's exec round trip (reactions of 1.0-3.8 s were seen in development runs of the same code) and for
        // what each VM's agent, kernel and QEMU threads take of a 0.5-pCPU share
        // on this 2-pCPU host, so that the test fails on a broken policy, not on noise.
        assertTrue(r.reactionMs() >= 0 && r.reactionMs() <= 5_000, "reaction " + r.reactionMs() + " ms");
        assertTrue(Math.abs(r.hostShareRatio() - 3) <= 0.6, "host-true share 1:" + r.hostShareRatio());
    }
}
