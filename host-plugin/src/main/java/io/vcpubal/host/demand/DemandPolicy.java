package io.vcpubal.host.demand;

/**
 * The knobs of {@link DemandEstimator}.
 *
 * @param saturatedFraction a sample whose usable vCPUs were busy at least this fraction of the time is
 *                          saturated: the VM may want more than it has, so it asks for all it can get
 * @param stalledFraction   ... as is one where some task waited for a CPU this share of the period (PSI)
 * @param headroom          a VM that is not saturated asks for its smoothed busy CPUs times this, so a small
 *                          rise does not saturate it at once
 * @param fallWeight        EWMA weight of a new sample when load falls (rises are taken at once)
 * @param holdDownMs        a demand that is not a saturation rise changes at most once in this time: the
 *                          bound on re-plans (see {@link DemandEstimator})
 * @param band              a fall smaller than this many CPUs is no change (hysteresis)
 */
public record DemandPolicy(double saturatedFraction, double stalledFraction, double headroom, double fallWeight,
                           long holdDownMs, double band) {

    /**
     * Three 1-second report periods of hold-down, half a CPU of band; a fall weighs a new sample 3:1, so an
     * idle VM lends most of its share after one report and all but a tenth after the hold-down.
     */
    public static final DemandPolicy DEFAULT = new DemandPolicy(0.85, 0.5, 1.25, 0.75, 3_000, 0.5);

    public DemandPolicy {
        if (!(saturatedFraction > 0 && saturatedFraction <= 1) || !(stalledFraction > 0 && stalledFraction <= 1)) {
            throw new IllegalArgumentException("saturated and stalled fractions must be in (0, 1]");
        }
        if (!(headroom >= 1) || !(fallWeight > 0 && fallWeight <= 1) || holdDownMs < 0 || !(band >= 0)) {
            throw new IllegalArgumentException("headroom >= 1, fall weight in (0, 1], hold-down and band >= 0");
        }
    }
}
