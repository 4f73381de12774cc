package io.vcpubal.lab.experiment.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The workloads do the same total work, with the same result, whatever the thread count. */
class KernelsTest {
    @Test
    void sharesAddUpToTheTotal() {
        for (int threads = 1; threads <= 7; threads++) {
            long sum = 0;
            for (int t = 0; t < threads; t++) {
                sum += Kernels.share(1_000_003, threads, t);
            }
            assertEquals(1_000_003, sum);
        }
    }

    @Test
    void stealingDoesEveryChunkOnceWhateverTheThreads() throws Exception {
        assertEquals(37, Kernels.stealing(1, 37, 10));
        assertEquals(37, Kernels.stealing(5, 37, 10));
    }

    @Test
    void onOffStopsWhenToldAndCountsItsPhases() throws Exception {
        int[] polls = new int[1];
        long phases = Kernels.onOff(2, 1, 1, () -> polls[0]++ >= 3);
        assertTrue(phases >= 1 && phases <= 3, "phases " + phases);
    }

    @Test
    void serverAnswersEveryRequestAndTimesEach() throws Exception {
        long[] latencies = Kernels.server(2, 3, 25, 1_000, 0);
        assertEquals(25, latencies.length);
        for (long l : latencies) {
            assertTrue(l >= 0, "latency " + l);
        }
        assertEquals("p50_ms=0.3 p99_ms=9.0", WorkloadMain.latencies(new long[] {9_000, 100, 300, 200, 400}));
        assertEquals(9_000, WorkloadMain.percentile(new long[] {100, 200, 300, 400, 9_000}, 0.99));
    }

    @Test
    void possibleCpusCountsEveryRange(@org.junit.jupiter.api.io.TempDir java.nio.file.Path sys) throws Exception {
        java.nio.file.Path f = sys.resolve("devices/system/cpu/possible");
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.writeString(f, "0-3,8,10-11\n");
        assertEquals(7, WorkloadMain.possibleCpus(sys));
    }

    @Test
    void lockCountsEveryCriticalSection() throws Exception {
        assertEquals(10_000, Kernels.lock(1, 10_000, 20));
        assertEquals(10_000, Kernels.lock(3, 10_000, 0));
    }

    @Test
    void histogramIsTheSameForAnyThreadCount() throws Exception {
        byte[] image = Inputs.image(10_001);
        assertEquals(Kernels.histogram(1, image, 1), Kernels.histogram(4, image, 1));
        assertEquals(Kernels.histogram(1, image, 3), Kernels.histogram(3, image, 3));
        // a second pass counts every pixel again
        assertTrue(Kernels.histogram(2, image, 2) > Kernels.histogram(2, image, 1));
    }

    @Test
    void wordcountCountsEveryWordOnceForAnyThreadCount() throws Exception {
        byte[] text = Inputs.text(50_000, 300);
        String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        Map<String, Integer> expected = new HashMap<>();
        for (String w : Kernels.words(s)) {
            expected.merge(w, 1, Integer::sum);
        }
        long words = expected.values().stream().mapToLong(Integer::longValue).sum();
        long check = words * 1_000_003L + expected.size();
        assertEquals(check, Kernels.wordcount(1, text));
        assertEquals(check, Kernels.wordcount(3, text));
    }

    @Test
    void inputsAreTheSameEveryTime() {
        assertEquals(java.util.Arrays.hashCode(Inputs.text(1000, 50)), java.util.Arrays.hashCode(Inputs.text(1000, 50)));
        assertEquals(java.util.Arrays.hashCode(Inputs.image(100)), java.util.Arrays.hashCode(Inputs.image(100)));
    }

    @Test
    void barrierRunsWithSeveralThreads() throws Exception {
        Kernels.barrier(3, 50, 100);
    }
}
