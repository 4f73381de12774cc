package io.vcpubal.lab.experiment.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTimesTest {
    @Test
    void readsUtimeAndStimeAfterACommandNameWithSpacesAndParentheses() throws Exception {
        String line = Files.readString(Path.of(getClass().getResource("/experiment/proc-self-stat.txt").toURI()));
        ProcessTimes t = ProcessTimes.parse(line);
        assertEquals(1537, t.userTicks());
        assertEquals(212, t.systemTicks());
        assertEquals(2.12, t.systemSeconds(), 1e-9);
    }

    @Test
    void malformedLinesGiveZeroInsteadOfThrowing() {
        assertEquals(new ProcessTimes(0, 0), ProcessTimes.parse(""));
        assertEquals(new ProcessTimes(0, 0), ProcessTimes.parse("12 (x) S 1 2"));
        assertEquals(new ProcessTimes(0, 0), ProcessTimes.parse("12 (x) S 1 2 3 4 5 6 7 8 9 10 abc 5 6"));
    }

    @Test
    void readsSelfUnderAGivenProcRoot(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/stat"), "1 (a) R 0 0 0 0 0 0 0 0 0 0 30 40 0 0\n");
        assertEquals(new ProcessTimes(30, 40), ProcessTimes.readSelf(proc));
        assertEquals(new ProcessTimes(10, 15), new ProcessTimes(40, 55).minus(new ProcessTimes(30, 40)));
        assertEquals(new ProcessTimes(0, 0), ProcessTimes.readSelf(proc.resolve("missing")));
    }
}
