package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessUsageTest {
    // a real line's shape, with a command name that holds a space and a parenthesis
    private static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 52178 0 3 0 1234 567 0 0 20 0 61 0"
            + " 1081290 5054017536 40960 18446744073709551615 1 1 0 0 0 0 0 4096 16796925 0 0 0 17 1 0 0 0 0 0\n";

    @TempDir
    Path root;

    @Test
    void readsUserPlusSystemTicksAndMemory() throws Exception {
        Path dir = Files.createDirectories(root.resolve("proc/4242"));
        Files.writeString(dir.resolve("stat"), STAT);
        Files.writeString(dir.resolve("status"), "Name:\tjava\nVmHWM:\t  120000 kB\nVmRSS:\t  100352 kB\nThreads:\t61\n");
        ProcessUsage u = ProcessUsage.read(root, 4242);
        assertEquals(1234 + 567, u.cpuTicks());
        assertEquals(100352, u.rssKb());
        assertEquals(120000, u.peakRssKb());
        ProcessUsage later = new ProcessUsage(u.cpuTicks() + 50, 0, 0);
        assertEquals(0.05, later.coreShareSince(u, 10), 1e-9, "50 ticks in 10 s = 5 % of a core");
    }

    @Test
    void sumsThreadsOfOnePoolUnderOneName() throws Exception {
        for (String[] t : new String[][] {{"1", "observe-1"}, {"2", "observe-2"}, {"3", "reconcile"}}) {
            Path task = Files.createDirectories(root.resolve("proc/9/task/" + t[0]));
            Files.writeString(task.resolve("stat"), STAT.replace("(java (x) y)", "(" + t[1] + ")"));
        }
        assertEquals(Map.of("observe", 2L * 1801, "reconcile", 1801L), ProcessUsage.ticksByThread(root, 9));
    }

    @Test
    void aStatusWithoutRssIsAnError() throws Exception {
        Path dir = Files.createDirectories(root.resolve("proc/7"));
        Files.writeString(dir.resolve("stat"), STAT);
        Files.writeString(dir.resolve("status"), "Name:\tzombie\n");
        assertThrows(java.io.IOException.class, () -> ProcessUsage.read(root, 7));
    }
}
