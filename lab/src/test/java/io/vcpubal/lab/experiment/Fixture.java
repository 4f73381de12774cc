package io.vcpubal.lab.experiment;

import java.util.List;
import java.util.Map;

/** Made-up results: two workloads, four modes, two guests, three repeats. */
final class Fixture {
    private Fixture() {}

    static ExperimentResults results() {
        List<String> workloads = List.of("lock", "parallel");
        List<String> modes = List.of("default", "affinity", "vcpubal", "ideal");
        ExperimentResults r = new ExperimentResults(new ExperimentResults.Setup("2026-11-22T00:00:00Z", 2, "cpu",
                "QEMU emulator version 7.2", "TCG (multi-threaded)", "6.1.0", List.of("vm1", "vm2"), 2, List.of(1, 1),
                3, 1.0, workloads, modes), Map.of("default", List.of("vm1: online 0-1")), List.of());
        double[] factor = {1.0, 0.9, 0.5, 0.48};
        for (String w : workloads) {
            for (int m = 0; m < modes.size(); m++) {
                for (int rep = 1; rep <= 3; rep++) {
                    for (String g : List.of("vm1", "vm2")) {
                        double base = w.equals("lock") ? 4000 : 2000;
                        r = r.with(new ExperimentResults.Run(w, modes.get(m), rep, g, m >= 2 ? 1 : 2,
                                base * factor[m] * (1 + 0.1 * (rep - 2)) + (g.equals("vm2") ? 100 : 0),
                                0.5 * factor[m] * rep, 1.0, 0.01 * rep, 0.02));
                    }
                }
            }
        }
        return r;
    }
}
