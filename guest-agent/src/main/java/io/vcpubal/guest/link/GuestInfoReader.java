package io.vcpubal.guest.link;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.guest.balloon.BalloonMode;
import io.vcpubal.guest.balloon.CpuUsage;
import io.vcpubal.guest.sysfs.CpuState;
import java.util.Set;
import java.util.function.Supplier;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.GuestInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the guest says about itself in Hello, read from /proc and /sys under a root (for tests). */
public final class GuestInfoReader {
    private final Path root;
    private final CpuSysfs sysfs;
    private final CpuSet protectedCpus;
    private final int floor;
    private final Supplier<CpuUsage> usage;
    private final Set<BalloonMode> modes;
    private final Optional<String> classesUnavailable;

    /** A hotplug-only guest. */
    public GuestInfoReader(Path root, CpuSysfs sysfs, CpuSet protectedCpus, int floor) {
        this(root, sysfs, protectedCpus, floor, () -> new CpuUsage(sysfs.onlineNow(), CpuSet.empty()),
                Set.of(BalloonMode.HOTPLUG));
    }

    /** @param usage online and fenced CPUs now; @param modes the balloon modes to advertise */
    public GuestInfoReader(Path root, CpuSysfs sysfs, CpuSet protectedCpus, int floor, Supplier<CpuUsage> usage,
                           Set<BalloonMode> modes) {
        this(root, sysfs, protectedCpus, floor, usage, modes, Optional.of("this agent was started without process classes"));
    }

    /** @param classesUnavailable why this guest has no process classes; empty when it has them */
    public GuestInfoReader(Path root, CpuSysfs sysfs, CpuSet protectedCpus, int floor, Supplier<CpuUsage> usage,
                           Set<BalloonMode> modes, Optional<String> classesUnavailable) {
        this.classesUnavailable = classesUnavailable;
        this.root = root;
        this.sysfs = sysfs;
        this.protectedCpus = protectedCpus;
        this.floor = floor;
        this.usage = usage;
        this.modes = Set.copyOf(modes);
    }

    public GuestInfo read() {
        GuestInfo.Builder b = GuestInfo.newBuilder()
                .setKernelRelease(firstLine("proc/sys/kernel/osrelease"))
                .setBootId(firstLine("proc/sys/kernel/random/boot_id"))
                .setHostname(firstLine("proc/sys/kernel/hostname"))
                .setPossibleCpus(sysfs.possible().map(CpuSet::toString).orElse(""))
                .setPresentCpus(sysfs.present().map(CpuSet::toString).orElse(""))
                .setMinOnlineCpus(floor);
        CpuUsage now = usage.get();
        b.setOnlineCpus(now.online().toString()).setFencedCpus(now.fenced().toString());
        for (BalloonMode m : BalloonMode.values()) {
            if (modes.contains(m)) {
                b.addBalloonModes(m == BalloonMode.FENCE ? io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_FENCE
                        : io.vcpubal.protocol.v1.BalloonMode.BALLOON_MODE_HOTPLUG);
            }
        }
        classesUnavailable.ifPresentOrElse(
                why -> b.setProcessClasses(false).setProcessClassesUnavailable(Bounds.clip(why, Bounds.MAX_ERROR_CHARS)),
                () -> b.setProcessClasses(true));
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
