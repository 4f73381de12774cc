package io.vcpubal.lab.experiment.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestBusyTest {
    private static final String STAT = """
            cpu  1000 20 300 9000 50 7 3 400 0 0
            cpu0 500 10 150 4500 25 4 2 200 0 0
            intr 12345
            """;

    @Test
    void busyIsUserNiceSystemIrqSoftirqButNotIdleIowaitOrSteal() {
        assertEquals(1000 + 20 + 300 + 7 + 3, GuestBusy.parse(STAT).ticks());
    }

    @Test
    void othersAreTheGuestsBusyTimeMinusTheWorkloadsOwn() {
        GuestBusy before = new GuestBusy(1000);
        GuestBusy after = new GuestBusy(1450);
        assertEquals(0.5, after.othersSecondsSince(before, new ProcessTimes(300, 100)), 1e-12);
        // jitter between the readings never makes the rest negative
        assertEquals(0.0, after.othersSecondsSince(before, new ProcessTimes(400, 100)), 1e-12);
        assertEquals(-1.0, after.othersSecondsSince(GuestBusy.UNKNOWN, new ProcessTimes(0, 0)), 1e-12);
    }

    @Test
    void unreadableOrMalformedStatIsUnknown(@TempDir Path proc) throws Exception {
        assertFalse(GuestBusy.read(proc).known());
        assertFalse(GuestBusy.parse("intr 1 2 3 4 5 6 7 8").known());
        assertFalse(GuestBusy.parse("cpu 1 2 x 4 5 6 7").known());
        Files.writeString(proc.resolve("stat"), STAT);
        assertEquals(1330, GuestBusy.read(proc).ticks());
    }
}
