package io.vcpubal.host.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReservedCpusTest {

    @Test
    void assignableIsOnlineMinusBothSets() {
        HostTopology t = HostTopology.uniform(1, 6, 1);
        ReservedCpus r = ReservedCpus.parse("0", "0-1");
        r.checkAgainst(t);
        assertEquals("0-1", r.all().toString());
        assertEquals("2-5", r.assignable(t).toString());
        assertEquals("0-5", ReservedCpus.none().assignable(t).toString());
    }

    @Test
    void strictParsingNamesTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReservedCpus.parse("0", "1,,2"));
        assertTrue(e.getMessage().startsWith("reserved emulator CPUs: invalid cpulist \"1,,2\""), e.getMessage());
    }

    @Test
    void reservedCpusMustBeOnline() {
        HostTopology t = HostTopology.uniform(1, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReservedCpus.parse("1-3", "").checkAgainst(t));
        assertEquals("reserved host CPUs 1-3: CPU(s) 2-3 are not online CPUs of this host (0-1)", e.getMessage());
    }
}
