package io.vcpubal.guest.link;

import io.vcpubal.guest.sysfs.CpuList;
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
    private final CpuList protectedCpus;
    private final int floor;

    public GuestInfoReader(Path root, CpuSysfs sysfs, CpuList protectedCpus, int floor) {
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
                .setPossibleCpus(sysfs.possible().map(CpuList::format).orElse(""))
                .setPresentCpus(sysfs.present().map(CpuList::format).orElse(""))
                .setOnlineCpus(sysfs.onlineNow().format())
                .setMinOnlineCpus(floor);
        try {
            List<CpuState> cpus = sysfs.readAll();
            CpuList offlinable = CpuList.of(cpus.stream().filter(CpuState::offlinable).map(CpuState::cpu).toList())
                    .minus(protectedCpus);
            b.setOfflinableCpus(offlinable.format());
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
