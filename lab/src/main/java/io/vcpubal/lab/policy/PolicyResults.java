package io.vcpubal.lab.policy;

/**
 * The figures of one {@link PolicyScenario} run, measured side by side.
 *
 * @param aloneMs            b's high job with a idle
 * @param withoutPolicyMs    b's job beside a's batch, no policy
 * @param withPolicyMs       b's job beside a's low batch, idle-time policy
 * @param reactionMs         from b's job start (the host's exec call) to b planned onto every pCPU with a's batch
 *                           limited to what is left (-1: not seen)
 * @param batchAloneCpus     host CPUs of a's batch while b idles, no policy
 * @param batchPolicyCpus    the same under the policy, after b's job
 * @param shareHostCpus      host-true CPUs of classes one (a) and three (b), shares 1:3
 * @param shareGuestCpus     the guest view of the same classes
 * @param top                {@code vcpubal-host top} output taken during the proportional-share run
 */
public record PolicyResults(double aloneMs, double withoutPolicyMs, double withPolicyMs, long reactionMs,
                            double batchAloneCpus, double batchPolicyCpus, double[] shareHostCpus,
                            double[] shareGuestCpus, String top) {
    public double withoutPolicyRatio() {
        return withoutPolicyMs / aloneMs;
    }

    public double withPolicyRatio() {
        return withPolicyMs / aloneMs;
    }

    public double batchKept() {
        return batchPolicyCpus / batchAloneCpus;
    }

    public double hostShareRatio() {
        return shareHostCpus[1] / shareHostCpus[0];
    }

    public double guestShareRatio() {
        return shareGuestCpus[1] / shareGuestCpus[0];
    }

    /** The goals: idle-time ≤ 1.15× alone, batch ≥ 90 % with b idle, shares within ±10 % of 1:3. */
    public boolean idleTimeMet() {
        return withPolicyRatio() <= 1.15;
    }

    public boolean batchMet() {
        return batchKept() >= 0.9;
    }

    public boolean shareMet() {
        return Math.abs(hostShareRatio() - 3) <= 0.3;
    }

    /** The report section, Markdown. */
    public String markdown() {
        StringBuilder b = new StringBuilder("## Process policies (two 2-vCPU guests on the host's pCPUs)\n\n");
        b.append("| figure | measured | goal | verdict |\n|---|---|---|---|\n");
        b.append(String.format("| b's high job beside a's batch, no policy | %.2fx alone (%.0f vs %.0f ms) | about 2x | - |%n",
                withoutPolicyRatio(), withoutPolicyMs, aloneMs));
        b.append(String.format("| b's high job beside a's low batch, idle-time | %.2fx alone (%.0f ms) | <= 1.15x | %s |%n",
                withPolicyRatio(), withPolicyMs, idleTimeMet() ? "met" : "missed"));
        b.append(String.format("| a's batch while b idles, policy vs none | %.0f %% (%.2f vs %.2f host CPUs) | >= 90 %% | %s |%n",
                100 * batchKept(), batchPolicyCpus, batchAloneCpus, batchMet() ? "met" : "missed"));
        b.append(String.format("| reaction: b's job start to b planned onto all pCPUs, a's batch limited | %d ms | <= 2 report periods | %s |%n",
                reactionMs, reactionMs >= 0 && reactionMs <= 2_000 ? "met" : "missed"));
        b.append(String.format("| shares 1:3 in different VMs, host-true CPU | 1:%.2f (%.2f : %.2f CPUs) | 1:3 +-10 %% | %s |%n",
                hostShareRatio(), shareHostCpus[0], shareHostCpus[1], shareMet() ? "met" : "missed"));
        b.append(String.format("| the same, guest view | 1:%.2f (%.2f : %.2f CPUs) | (shown) | - |%n%n",
                guestShareRatio(), shareGuestCpus[0], shareGuestCpus[1]));
        b.append("`vcpubal-host top` during the proportional-share run:\n\n```\n").append(top.strip()).append("\n```\n");
        return b.toString();
    }
}
