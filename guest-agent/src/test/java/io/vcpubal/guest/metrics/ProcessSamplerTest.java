package io.vcpubal.guest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSamplerTest {

    @TempDir
    Path root;

    /** Makes {@code root/proc} a copy of a fixture's proc tree (replacing what was there). */
    void useProcOf(String fixture) throws IOException {
        Path target = root.resolve("proc");
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                old.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        Path source = Fixtures.root(fixture).resolve("proc");
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(p -> {
                try {
                    Files.copy(p, target.resolve(source.relativize(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static List<Integer> pids(ProcessTop top) {
        return top.processes().stream().map(ProcessCpu::pid).collect(Collectors.toList());
    }

    @Test
    void theFirstSampleRanksByCpuSinceStart() {
        ProcessTop top = new ProcessSampler(Fixtures.root(Fixtures.THIS_VM), 3).sample();
        assertTrue(top.baseline());
        assertEquals(6, top.scanned());
        // java 535+8, process_api 89+265, the hog 193+0; then bash 12, ksoftirqd/0 7, pid 16 none
        assertEquals(List.of(Fixtures.JAVA_PID, 1, Fixtures.TRICKY_PID), pids(top));
        assertEquals(543 + 354 + 193 + 12 + 7, top.cpuDeltaTicksAll());
    }

    @Test
    void laterSamplesRankByTheDeltaAndSumThreads() throws IOException {
        useProcOf(Fixtures.THIS_VM);
        ProcessSampler sampler = new ProcessSampler(root, 10);
        sampler.sample();
        useProcOf(Fixtures.THIS_VM_LATER);
        ProcessTop top = sampler.sample();

        assertEquals(false, top.baseline());
        // java 754-543, the hog 257-193, process_api 355-354; the other three used no CPU and are left out
        assertEquals(List.of(Fixtures.JAVA_PID, Fixtures.TRICKY_PID, 1), pids(top));
        assertEquals(211 + 64 + 1, top.cpuDeltaTicksAll());

        ProcessCpu java = top.processes().get(0);
        assertEquals("java", java.name());
        assertEquals(211, java.cpuDeltaTicks());
        assertEquals(746, java.userTicks());
        assertEquals(8, java.systemTicks());
        assertEquals(23, java.threads());
        assertEquals(23, java.threadsSummed());
        // Sums over the 23 task directories of the later capture.
        assertEquals(new TaskSchedstat(7728503121L, 19657960368L, 4859), java.schedstat());
        assertEquals(1163, java.voluntaryCtxtSwitches());
        assertEquals(3694, java.involuntaryCtxtSwitches());

        ProcessCpu hog = top.processes().get(1);
        assertEquals("a) (b c", hog.name());
        assertEquals(64, hog.cpuDeltaTicks());
        assertEquals(new TaskSchedstat(2577928577L, 6230888546L, 1041), hog.schedstat());
        assertEquals(1, hog.threadsSummed());
    }

    @Test
    void theThreadWalkIsBudgetedPerSample() {
        // Budget 10: java (23 threads) gets 10, then the rest only their main thread's files.
        ProcessTop top = new ProcessSampler(Fixtures.root(Fixtures.THIS_VM), 3, 10).sample();
        assertEquals(List.of(Fixtures.JAVA_PID, 1, Fixtures.TRICKY_PID), pids(top));
        assertEquals(10, top.processes().get(0).threadsSummed());
        ProcessCpu processApi = top.processes().get(1);
        assertEquals(13, processApi.threads());
        assertEquals(1, processApi.threadsSummed());
        assertEquals(337, processApi.voluntaryCtxtSwitches(), "main thread only, from /proc/1/status");
        assertEquals(43, processApi.involuntaryCtxtSwitches());
        assertEquals(1, top.processes().get(2).threadsSummed());
    }

    @Test
    void aReusedPidCountsFromZero() throws IOException {
        useProcOf(Fixtures.THIS_VM);
        ProcessSampler sampler = new ProcessSampler(root, 5);
        sampler.sample();
        // pid 1063 (bash, 3+9 ticks, started at 3366) exits and a new process gets the pid.
        Files.writeString(root.resolve("proc/1063/stat"),
                "1063 (newcomer) R 1 1063 1063 0 -1 4194304 10 0 0 0 4 1 0 0 20 0 1 0 200000 0 0 0\n");
        ProcessTop top = sampler.sample();
        ProcessCpu newcomer = top.processes().stream().filter(p -> p.pid() == 1063).findFirst().orElseThrow();
        assertEquals("newcomer", newcomer.name());
        assertEquals(5, newcomer.cpuDeltaTicks(), "its whole CPU time, not 5 - 12 clamped to 0");
    }

    @Test
    void equalDeltasRankByPidAndNIsABound() throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc"));
        for (int pid : new int[] {30, 10, 20}) {
            Files.createDirectories(proc.resolve(Integer.toString(pid)));
            Files.writeString(proc.resolve(pid + "/stat"),
                    pid + " (p" + pid + ") R 1 1 1 0 -1 0 0 0 0 0 50 0 0 0 20 0 1 0 100 0 0 0\n");
        }
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\n");
        ProcessTop top = new ProcessSampler(root, 2).sample();
        assertEquals(List.of(10, 20), pids(top));
        assertEquals(3, top.scanned());
    }

    @Test
    void noProcMeansNoProcesses() {
        ProcessTop top = new ProcessSampler(root.resolve("missing"), 5).sample();
        assertEquals(List.of(), top.processes());
        assertEquals(0, top.scanned());
    }

    @Test
    void nIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> new ProcessSampler(root, 0));
        assertThrows(IllegalArgumentException.class, () -> new ProcessSampler(root, ProcessSampler.MAX_TOP + 1));
    }

    @Test
    void namesAreBounded() {
        assertEquals("rcu_exp_par_gp_kthread_worker/0", ProcessSampler.boundedName("rcu_exp_par_gp_kthread_worker/0"));
        String long40 = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
        assertEquals(long40.substring(0, ProcessSampler.MAX_NAME_CHARS), ProcessSampler.boundedName(long40));
        assertEquals("a?b?", ProcessSampler.boundedName("a\nb\u0007"));
        // A surrogate pair straddling the limit is dropped whole.
        String emojiAtEnd = "x".repeat(31) + "\uD83D\uDE00";
        assertEquals("x".repeat(31), ProcessSampler.boundedName(emojiAtEnd));
    }
}
