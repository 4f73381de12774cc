package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.LabMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./run-lab --quick} end to end, in process: real guests, the host plugin, all four modes, the report. */
class QuickExperimentIT {
    @Test
    void quickExperimentWritesAReportWithEveryModeAndNumbers(@TempDir Path root) throws Exception {
        long t0 = System.nanoTime();
        int exit = new CommandLine(new LabMain()).execute("--quick", "--results-dir", root.toString());
        System.out.printf("lab: ./run-lab --quick took %.0f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, exit);
        Path dir;
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), "one timestamped results directory: " + all);
            dir = all.get(0);
        }
        for (String f : List.of("results.json", "report.md", "chart.svg")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        ExperimentResults r = ExperimentResults.fromJson(Files.readString(dir.resolve("results.json")));
        assertEquals(Mode.values().length, r.cells().size(), "lock in every mode");
        for (Mode m : Mode.values()) {
            ExperimentResults.Cell c = r.cell("lock", m.id());
            assertTrue(c.execMs().median() > 0, m + " has an execution time");
            assertTrue(Double.isFinite(c.execNormalised().median()), m + " is normalised");
        }
        assertEquals(1.0, r.cell("lock", "vcpubal").threadsMean(), 1e-9,
                "two guests on two host CPUs: the host plugin leaves one vCPU online in each, the workload sees it");
        assertEquals(1.0, r.cell("lock", "vcpubal-fence").threadsMean(), 1e-9,
                "fenced, the guest keeps both vCPUs online but the workload sees the one it may use");
        assertEquals(2.0, r.cell("lock", "default").threadsMean(), 1e-9);
        String md = Files.readString(dir.resolve("report.md"));
        for (Mode m : Mode.values()) {
            assertTrue(md.matches("(?s).*\\| lock \\| " + m.id() + " \\| [0-9.]+ \\| [0-9.]+ \\(.*"), m + " row in:\n" + md);
        }
        assertTrue(md.contains("not KVM numbers"));
        System.out.println(Report.table(r));
    }
}
