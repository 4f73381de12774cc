package io.vcpubal.guest.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.balloon.BalloonMode;
import io.vcpubal.guest.balloon.CpuUsage;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.SysfsFixture;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.GuestInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Hello says about process classes. */
class GuestInfoReaderTest {
    private static final String SYSTEMD_V1 = "systemd runs this guest on cgroup v1";

    @TempDir
    Path root;

    GuestInfo read(Optional<String> classesUnavailable) throws IOException {
        SysfsFixture.create(root, "0-3", "0-3", CpuSet.of(0));
        CpuSysfs sysfs = new CpuSysfs(root);
        return new GuestInfoReader(root, sysfs, CpuSet.empty(), 1, () -> new CpuUsage(sysfs.onlineNow(), CpuSet.empty()),
                Set.of(BalloonMode.HOTPLUG), classesUnavailable).read();
    }

    @Test
    void classesOffered() throws IOException {
        GuestInfo i = read(Optional.empty());
        assertTrue(i.getProcessClasses());
        assertEquals("", i.getProcessClassesUnavailable());
    }

    @Test
    void classesNotOfferedSayWhy() throws IOException {
        GuestInfo i = read(Optional.of(SYSTEMD_V1));
        assertFalse(i.getProcessClasses());
        assertEquals(SYSTEMD_V1, i.getProcessClassesUnavailable());
    }
}
