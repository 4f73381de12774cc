package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @Test
    void writesAllThreeFilesWithTheCaveatAndEveryMode(@TempDir Path dir) throws Exception {
        Report.write(Fixture.results(), dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("not KVM numbers"));
        assertTrue(md.contains("| lock | vcpubal | 1.0 |"), md);
        assertTrue(md.contains("QEMU emulator version 7.2"));
        assertTrue(Files.readString(dir.resolve("chart.svg")).startsWith("<?xml"));
        assertTrue(Files.size(dir.resolve("results.json")) > 100);
        assertTrue(Report.verdicts(Fixture.results()).get(0).contains("vcpubal >= 2x default: NOT met"));
    }

    @Test
    void verdictsQuoteTheGoalFigureAndSayNaForAModeThatDidNotRun() {
        ExperimentResults all = Fixture.results();
        String lock = Report.verdicts(all).get(0);
        // vcpubal 2050 ms against ideal 1970 ms (medians of the guests' means): 96 % of ideal's speedup
        assertTrue(lock.contains("vcpubal reaches 96 % of ideal's speedup (goal >= 95 %: met"), lock);
        ExperimentResults noAffinity = new ExperimentResults(all.setup(), all.modeSetups(),
                all.runs().stream().filter(r -> !r.mode().equals("affinity")).toList());
        assertTrue(Report.verdicts(noAffinity).get(0).contains("affinity n/a,"), Report.verdicts(noAffinity).get(0));
    }
}
