package io.vcpubal.guest.sysfs;

import io.vcpubal.protocol.CpuSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds writable sysfs CPU trees in a temp dir, shaped like a real guest's. */
public final class SysfsFixture {

    private SysfsFixture() {
    }

    /**
     * @param cpus the cpuN directories to create
     * @param online which of them are online
     * @param withoutOnlineFile CPUs that get no online file (cpu0 on x86); they must be online
     */
    public static void create(Path root, String cpus, String online, CpuSet withoutOnlineFile) throws IOException {
        CpuSet all = CpuSet.parse(cpus);
        CpuSet up = CpuSet.parse(online);
        Path cpuDir = root.resolve("sys/devices/system/cpu");
        Files.createDirectories(cpuDir);
        Files.writeString(cpuDir.resolve("possible"), all + "\n");
        Files.writeString(cpuDir.resolve("present"), all + "\n");
        Files.writeString(cpuDir.resolve("online"), up + "\n");
        for (int cpu : all.toArray()) {
            Path dir = Files.createDirectories(cpuDir.resolve("cpu" + cpu));
            if (!withoutOnlineFile.contains(cpu)) {
                Files.writeString(dir.resolve("online"), (up.contains(cpu) ? "1" : "0") + "\n");
            }
        }
    }

    /** The real writer, recording "cpuN=V" for each write. */
    public static CpuSysfs.OnlineWriter recording(List<String> writes) {
        return (file, value) -> {
            writes.add(file.getParent().getFileName() + "=" + value);
            CpuSysfs.FILE_WRITER.write(file, value);
        };
    }

    public static String onlineFile(Path root, int cpu) throws IOException {
        return Files.readString(root.resolve("sys/devices/system/cpu/cpu" + cpu + "/online")).strip();
    }

    /** The online CPUs according to the per-CPU files (what the balloon writes). */
    public static CpuSet onlineCpus(Path root) throws IOException {
        return CpuSet.of(new CpuSysfs(root).readAll().stream().filter(CpuState::online).mapToInt(CpuState::cpu).toArray());
    }
}
