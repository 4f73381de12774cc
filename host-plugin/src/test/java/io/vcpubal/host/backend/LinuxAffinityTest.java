package io.vcpubal.host.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LinuxAffinityTest {
    @Test
    void pinsAnotherThreadAndReadsItBack() throws Exception {
        AtomicReference<BitSet> seen = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        int lastCpu = Runtime.getRuntime().availableProcessors() - 1;
        Thread t = new Thread(() -> {
            try {
                int tid = LinuxAffinity.currentTid();
                BitSet one = new BitSet();
                one.set(lastCpu);
                LinuxAffinity.set(tid, one);
                seen.set(LinuxAffinity.get(tid));
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        BitSet expected = new BitSet();
        expected.set(lastCpu);
        assertEquals(expected, seen.get());
    }

    @Test
    void aMissingThreadIsESRCH() {
        var e = assertThrows(LinuxAffinity.AffinityException.class, () -> LinuxAffinity.get(Integer.MAX_VALUE - 1));
        assertTrue(e.getMessage().contains("ESRCH"), e.getMessage());
    }

    @Test
    void anEmptySetIsRefusedBeforeTheKernelSeesIt() {
        assertThrows(LinuxAffinity.AffinityException.class, () -> LinuxAffinity.set(LinuxAffinity.currentTid(), new BitSet()));
    }

    @Test
    void aSetWithoutOnlineCpusIsEINVAL() {
        BitSet far = new BitSet();
        far.set(4000);
        var e = assertThrows(LinuxAffinity.AffinityException.class, () -> LinuxAffinity.set(LinuxAffinity.currentTid(), far));
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }
}
