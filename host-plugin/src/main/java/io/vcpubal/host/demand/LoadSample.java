package io.vcpubal.host.demand;

/**
 * How busy a guest was between two of its facts reports.
 *
 * @param busyCpus      CPUs' worth of time its usable vCPUs were busy or wanted to run (steal counts: the
 *                      vCPU had work), 0 &le; busyCpus &le; usableCpus
 * @param usableCpus    online vCPUs not fenced, &ge; 1
 * @param stallFraction share of the period some runnable task waited for a CPU (PSI {@code some}), 0..1;
 *                      0 when the guest kernel has no PSI
 */
public record LoadSample(double busyCpus, int usableCpus, double stallFraction) {

    public LoadSample {
        if (usableCpus < 1) {
            throw new IllegalArgumentException("usable CPUs must be >= 1, got " + usableCpus);
        }
        if (!(busyCpus >= 0 && busyCpus <= usableCpus)) {
            throw new IllegalArgumentException("busy CPUs must be 0.." + usableCpus + ", got " + busyCpus);
        }
        if (!(stallFraction >= 0 && stallFraction <= 1)) {
            throw new IllegalArgumentException("stall fraction must be 0..1, got " + stallFraction);
        }
    }
}
