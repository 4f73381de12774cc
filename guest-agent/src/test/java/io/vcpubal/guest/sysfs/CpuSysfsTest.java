package io.vcpubal.guest.sysfs;

import io.vcpubal.protocol.CpuSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuSysfsTest {

    @TempDir
    Path root;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(CpuSysfsTest.class.getResource("/fixtures/" + name).toURI());
    }

    @Test
    void readsTheRealTreeOfThisMachine() throws Exception {
        // Copied from a 2-vCPU KVM guest: cpu0 has no online file, cpu1 has one.
        CpuSysfs sysfs = new CpuSysfs(fixture("this-vm"));
        assertEquals(CpuSet.parse("0-1"), sysfs.listCpus());
        assertEquals(Optional.of(CpuSet.parse("0-1")), sysfs.possible());
        assertEquals(Optional.of(CpuSet.parse("0-1")), sysfs.present());
        assertEquals(Optional.of(CpuSet.parse("0-1")), sysfs.online());
        assertEquals(List.of(new CpuState(0, true, false), new CpuState(1, true, true)), sysfs.readAll());
    }

    @Test
    void listsOnlyCpuNDirectories() throws IOException {
        SysfsFixture.create(root, "0-2", "0-2", CpuSet.of(0));
        Path cpuDir = root.resolve("sys/devices/system/cpu");
        Files.createDirectories(cpuDir.resolve("cpufreq"));
        Files.createDirectories(cpuDir.resolve("cpuidle"));
        Files.writeString(cpuDir.resolve("cpu7"), "a file, not a directory");
        assertEquals(CpuSet.parse("0-2"), new CpuSysfs(root).listCpus());
    }

    @Test
    void summaryFilesAreParseOrEmpty() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        Path cpuDir = root.resolve("sys/devices/system/cpu");
        Files.writeString(cpuDir.resolve("online"), "zero to one\n");
        Files.delete(cpuDir.resolve("possible"));
        CpuSysfs sysfs = new CpuSysfs(root);
        assertEquals(Optional.empty(), sysfs.online());
        assertEquals(Optional.empty(), sysfs.possible());
        assertEquals(Optional.of(CpuSet.parse("0-1")), sysfs.present());
    }

    @Test
    void writesOnlyWhenTheStateDiffers() throws IOException {
        SysfsFixture.create(root, "0-3", "0-2", CpuSet.of(0));
        List<String> writes = new ArrayList<>();
        CpuSysfs sysfs = new CpuSysfs(root, SysfsFixture.recording(writes));

        assertEquals(new CpuState(2, true, true), sysfs.setOnline(2, true));
        assertEquals(new CpuState(3, false, true), sysfs.setOnline(3, false));
        assertEquals(List.of(), writes);

        assertEquals(new CpuState(3, true, true), sysfs.setOnline(3, true));
        assertEquals(new CpuState(2, false, true), sysfs.setOnline(2, false));
        assertEquals(List.of("cpu3=1", "cpu2=0"), writes);
        assertEquals("1", SysfsFixture.onlineFile(root, 3));
        assertEquals("0", SysfsFixture.onlineFile(root, 2));
    }

    @Test
    void aCpuWithoutOnlineFileIsOnlineAndCannotBeOfflined() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        CpuSysfs sysfs = new CpuSysfs(root);
        assertEquals(new CpuState(0, true, false), sysfs.read(0));
        assertEquals(new CpuState(0, true, false), sysfs.setOnline(0, true));
        IOException e = assertThrows(IOException.class, () -> sysfs.setOnline(0, false));
        assertTrue(e.getMessage().contains("cpu0 cannot be offlined"), e.getMessage());
        assertTrue(Files.notExists(root.resolve("sys/devices/system/cpu/cpu0/online")), "no file was created");
    }

    @Test
    void anUnknownCpuIsAnError() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        IOException e = assertThrows(IOException.class, () -> new CpuSysfs(root).read(5));
        assertEquals("ENOENT: cpu5 does not exist", Errno.describe(e));
    }

    @Test
    void aMalformedOnlineFileIsAnErrorNotAGuess() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        Files.writeString(root.resolve("sys/devices/system/cpu/cpu1/online"), "yes\n");
        IOException e = assertThrows(IOException.class, () -> new CpuSysfs(root).read(1));
        assertTrue(e.getMessage().contains("not 0 or 1"), e.getMessage());
    }

    @Test
    void aDeviceInPlaceOfTheOnlineFileIsNotReadForever() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        Path online = root.resolve("sys/devices/system/cpu/cpu1/online");
        Files.delete(online);
        Files.createSymbolicLink(online, Path.of("/dev/zero"));
        IOException e = assertThrows(IOException.class, () -> new CpuSysfs(root).read(1));
        assertTrue(e.getMessage().contains("not 0 or 1"), e.getMessage());
    }

    @Test
    void aWriteThatDoesNotTakeEffectFailsVerification() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        CpuSysfs sysfs = new CpuSysfs(root, (file, value) -> { });
        IOException e = assertThrows(IOException.class, () -> sysfs.setOnline(1, false));
        assertEquals("EIO: cpu1 still online after writing 0", e.getMessage());
    }

    @Test
    void theDefaultWriterWritesTheFile() throws IOException {
        SysfsFixture.create(root, "0-1", "0-1", CpuSet.of(0));
        new CpuSysfs(root).setOnline(1, false);
        assertEquals("0", SysfsFixture.onlineFile(root, 1));
    }
}
