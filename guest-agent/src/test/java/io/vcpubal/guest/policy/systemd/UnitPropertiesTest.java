package io.vcpubal.guest.policy.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.policy.ClassRule;
import io.vcpubal.guest.policy.ClassSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** systemctl show's output as Debian 12's systemd 252 prints it, and the set-property assignments made of it. */
class UnitPropertiesTest {
    /** {@code systemctl show --property=LoadState,Slice,ControlGroup,CPUWeight,CPUQuotaPerSecUSec cron.service}. */
    static final String RUNNING_UNSET = "Slice=system.slice\nControlGroup=/system.slice/cron.service\n"
            + "CPUWeight=[not set]\nCPUQuotaPerSecUSec=infinity\nLoadState=loaded\n";

    @Test
    void aRunningUnitWithNothingSetIsPutBackByEmptyAssignments() {
        UnitProperties p = UnitProperties.parse("cron.service", RUNNING_UNSET);
        assertTrue(p.loaded());
        assertEquals("/system.slice/cron.service", p.cgroupPath());
        assertEquals(List.of("CPUWeight=", "CPUQuota="), p.restoreAssignments());
    }

    @Test
    void anOperatorsOwnSettingsArePutBackAsTheyWere() {
        UnitProperties p = UnitProperties.parse("web.service", "LoadState=loaded\nSlice=system.slice\nControlGroup=\n"
                + "CPUWeight=200\nCPUQuotaPerSecUSec=1.500000s\n");
        assertEquals(List.of("CPUWeight=200", "CPUQuota=150%"), p.restoreAssignments());
        assertEquals("/system.slice/web.service", p.cgroupPath(), "not running: the path its slice gives it");
    }

    @Test
    void showOfSeveralUnitsPrintsABlockForEachInTheOrderAsked() {
        List<UnitProperties> all = UnitProperties.parseAll(List.of("cron.service", "nope.service"), RUNNING_UNSET
                + "\nSlice=\nControlGroup=\nCPUWeight=[not set]\nCPUQuotaPerSecUSec=infinity\nLoadState=not-found\n");
        assertEquals("/system.slice/cron.service", all.get(0).cgroupPath());
        assertTrue(all.get(0).loaded());
        assertEquals("nope.service", all.get(1).unit());
        assertFalse(all.get(1).loaded());
        assertThrows(IllegalArgumentException.class, () -> UnitProperties.parseAll(List.of("a.service", "b.service"),
                RUNNING_UNSET));
    }

    @Test
    void anUnknownUnitIsNotLoaded() {
        UnitProperties p = UnitProperties.parse("nope.service", "Slice=\nControlGroup=\nCPUWeight=[not set]\n"
                + "CPUQuotaPerSecUSec=infinity\nLoadState=not-found\n");
        assertFalse(p.loaded());
    }

    @Test
    void olderSystemdsShowAnUnsetWeightAsTheLargestNumber() {
        UnitProperties p = UnitProperties.parse("a.service", "CPUWeight=18446744073709551615\nCPUQuotaPerSecUSec=200ms\n");
        assertEquals(List.of("CPUWeight=", "CPUQuota=20%"), p.restoreAssignments());
    }

    @Test
    void aQuotaThatIsNoTimeSpanCannotBePutBack() {
        UnitProperties p = UnitProperties.parse("a.service", "CPUWeight=100\nCPUQuotaPerSecUSec=lots\n");
        assertThrows(IllegalArgumentException.class, p::restoreAssignments);
    }

    @Test
    void aClassBecomesTheUnitsWeightOrIdleAndItsQuotaInPercentOfOneCpu() {
        ClassRule rule = new ClassRule("", "", "", "batch.service");
        assertEquals(List.of("CPUWeight=300", "CPUQuota="),
                UnitProperties.assignments(new ClassSpec("web", rule, 300, false, 0)));
        assertEquals(List.of("CPUWeight=idle", "CPUQuota=25%"),
                UnitProperties.assignments(new ClassSpec("batch", rule, 100, true, 25_000)));
        assertEquals(List.of("CPUWeight=idle", "CPUQuota=1%"),
                UnitProperties.assignments(new ClassSpec("batch", rule, 100, true, 1_000)));
        assertEquals(List.of("CPUWeight=1", "CPUQuota=150%"),
                UnitProperties.assignments(new ClassSpec("batch", rule, 1, false, 150_000)));
    }

    @ParameterizedTest
    @CsvSource({"system.slice,/system.slice", "-.slice,/", "user-1000.slice,/user.slice/user-1000.slice",
            "a-b-c.slice,/a.slice/a-b.slice/a-b-c.slice"})
    void slicesNestByTheirDashes(String slice, String path) {
        assertEquals(path, UnitProperties.slicePath(slice));
    }

    @Test
    void aSliceUnitsOwnPathComesFromItsName() {
        assertEquals("/machine.slice/machine-batch.slice",
                UnitProperties.parse("machine-batch.slice", "Slice=machine.slice\n").cgroupPath());
    }

    @ParameterizedTest
    @CsvSource({"200ms,200000", "1s,1000000", "1.500000s,1500000", "1min 30s,90000000", "250us,250", "1.500ms,1500"})
    void timeSpansAsShowPrintsThem(String span, long micros) {
        assertEquals(micros, TimeSpan.parseMicros(span));
    }

    @ParameterizedTest
    @CsvSource({"2000000,200%", "1234500,123.45%", "1234567,123.46%", "10000,1%", "5000,0.5%"})
    void percentsOfOneCpu(long microsPerSecond, String percent) {
        assertEquals(percent, UnitProperties.percent(microsPerSecond));
    }
}
