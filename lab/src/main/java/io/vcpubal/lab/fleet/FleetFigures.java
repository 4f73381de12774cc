package io.vcpubal.lab.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one fleet run measured.
 *
 * @param adoptSeconds daemon start until every honest guest held its planned set, pinned
 * @param warmupCoreShare daemon CPU between adoption and the steady window (the JIT still compiling)
 * @param steadyCoreShare daemon CPU over the steady window, as a share of one core
 * @param rssMb daemon resident set at the end of the steady window; {@code peakRssMb} its high-water mark
 * @param steadyRoundMs mean reconcile round while nothing changed
 * @param steadyReplans re-plans while nothing changed (should be 0)
 * @param steadyThreads the daemon's busiest threads over the steady window
 * @param reweighted VMs whose weight was quadrupled; {@code retargeted} VMs whose online target changed by it
 * @param changeSeconds set-weight calls until every honest guest held its new set
 * @param changeRoundMs mean reconcile round from the steady window's end until then
 * @param pinsInKernel vCPU pins whose thread's kernel affinity is the (folded) pin the daemon reports, of {@code pins}
 * @param staleHonest honest VMs whose agent was not connected or not heard from for 5 s at the end
 * @param hostile per hostile kind, what the daemon showed of them
 */
public record FleetFigures(int vms, int hostileVms, int pcpus, double adoptSeconds, double warmupCoreShare,
                           double steadyCoreShare,
                           double rssMb, double peakRssMb, double steadyRoundMs, double steadyReplans, String steadyThreads,
                           int reweighted, int retargeted, double changeSeconds, double changeRoundMs,
                           int pinsInKernel, int pins,
                           int staleHonest, Map<String, String> hostile) {

    /** {@code lab:} lines, one figure each, with the goals beside them. */
    public List<String> lines() {
        String at = String.format("lab: fleet N=%d (%d hostile) on %d pCPUs:", vms, hostileVms, pcpus);
        List<String> out = new ArrayList<>();
        out.add(String.format("%s adoption until every honest guest held its plan %.1f s", at, adoptSeconds));
        out.add(String.format("%s daemon CPU, steady, reports at 1 Hz: %.1f %% of one core (goal <= 5 %%);"
                + " %.1f %% while warming up after adoption", at, 100 * steadyCoreShare, 100 * warmupCoreShare));
        out.add(String.format("%s daemon CPU by thread, steady: %s", at, steadyThreads));
        out.add(String.format("%s daemon RSS %.0f MB, peak %.0f MB (goal <= 150 MB)", at, rssMb, peakRssMb));
        out.add(String.format("%s reconcile round, nothing changing: %.1f ms mean; re-plans meanwhile: %.0f", at,
                steadyRoundMs, steadyReplans));
        out.add(String.format("%s weight change of %d VMs (%d online targets moved): every honest guest at its new"
                + " set after %.1f s; rounds meanwhile %.1f ms mean", at, reweighted, retargeted, changeSeconds,
                changeRoundMs));
        out.add(String.format("%s vCPU pins the kernel agrees with: %d of %d", at, pinsInKernel, pins));
        out.add(String.format("%s honest VMs out of contact at the end: %d", at, staleHonest));
        hostile.forEach((kind, what) -> out.add(String.format("%s hostile %s: %s", at, kind, what)));
        return out;
    }
}
