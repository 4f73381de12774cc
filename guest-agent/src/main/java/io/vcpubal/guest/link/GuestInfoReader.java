package io.vcpubal.guest.link;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.sysfs.CpuState;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.GuestInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the guest says about itself in Hello, read from /proc and /sys under a root (for tests). */
public final class GuestInfoReader {
    private final Path root;
    private final CpuSysfs sysfs;
    private final CpuSet protectedCpus;
    private final int floor;

    public GuestInfoReader(Path root, CpuSysfs sysfs, CpuSet protectedCpus, int floor) {
        this.root = root;
        this.sysfs = sysfs;
        this.protectedCpus = protectedCpus;
        this.floor = floor;
    }

    public GuestInfo read() {
        GuestInfo.Builder b = GuestInfo.newBuilder()
                .setKernelRelease(firstLine("proc/sys/kernel/osrelease"))
                .setBootId(firstLine("proc/sys/kernel/random/boot_id"))
                .setHostname(firstLine("proc/sys/kernel/hostname"))
                .setPossibleCpus(sysfs.possible().map(CpuSet::toString).orElse(""))
                .setPresentCpus(sysfs.present().map(CpuSet::toString).orElse(""))
                .setOnlineCpus(sysfs.onlineNow().toString())
                .setMinOnlineCpus(floor);
        try {
            List<CpuState> cpus = sysfs.readAll();
            CpuSet offlinable = CpuSet.of(cpus.stream().filter(CpuState::offlinable).map(CpuState::cpu).toList())
                    .minus(protectedCpus);
            b.setOfflinableCpus(offlinable.toString());
        } catch (IOException e) {
            // Leave offlinable empty: the host then treats the guest as unable to balloon.
        }
        return b.build();
    }

    private String firstLine(String rel) {
        try {
            List<String> lines = Files.readAllLines(root.resolve(rel));
            return lines.isEmpty() ? "" : Bounds.clip(lines.get(0).trim(), Bounds.MAX_SHORT_STRING_CHARS);
        } catch (IOException e) {
            return "";
        }
    }
}
