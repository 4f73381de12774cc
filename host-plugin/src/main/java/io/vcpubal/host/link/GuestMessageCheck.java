package io.vcpubal.host.link;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.GuestInfo;
import java.util.Optional;

/**
 * What the host accepts from a guest, which it does not trust: every count and string within the bounds
 * vcpubal.proto documents. A message outside them is dropped whole (never half-used) with a reason.
 */
public final class GuestMessageCheck {
    private GuestMessageCheck() {}

    /** Empty when acceptable, else why not. */
    public static Optional<String> problemWith(GuestInfo g) {
        for (String s : new String[] {g.getKernelRelease(), g.getBootId(), g.getHostname()}) {
            if (s.length() > Bounds.MAX_SHORT_STRING_CHARS) {
                return Optional.of("GuestInfo string longer than " + Bounds.MAX_SHORT_STRING_CHARS);
            }
        }
        for (String l : new String[] {g.getPossibleCpus(), g.getPresentCpus(), g.getOnlineCpus(), g.getOfflinableCpus(),
                g.getFencedCpus()}) {
            if (l.length() > Bounds.MAX_CPULIST_CHARS) {
                return Optional.of("cpulist longer than " + Bounds.MAX_CPULIST_CHARS);
            }
        }
        if (g.getProcessClassesUnavailable().length() > Bounds.MAX_ERROR_CHARS) {
            return Optional.of("process_classes_unavailable longer than " + Bounds.MAX_ERROR_CHARS);
        }
        if (g.getBalloonModesCount() > 8) {
            return Optional.of(g.getBalloonModesCount() + " balloon modes (at most 8)");
        }
        return Optional.empty();
    }

    public static Optional<String> problemWith(GuestFacts f) {
        if (f.getProcessesCount() > Bounds.MAX_PROCESSES) {
            return Optional.of(f.getProcessesCount() + " processes (at most " + Bounds.MAX_PROCESSES + ")");
        }
        if (f.getCpuTicksCount() > Bounds.MAX_CPU + 1) {
            return Optional.of(f.getCpuTicksCount() + " CPU tick entries");
        }
        if (f.getOnlineCpus().length() > Bounds.MAX_CPULIST_CHARS || f.getFencedCpus().length() > Bounds.MAX_CPULIST_CHARS) {
            return Optional.of("online cpulist longer than " + Bounds.MAX_CPULIST_CHARS);
        }
        for (var p : f.getProcessesList()) {
            if (p.getName().length() > Bounds.MAX_PROCESS_NAME_CHARS) {
                return Optional.of("process name longer than " + Bounds.MAX_PROCESS_NAME_CHARS);
            }
            if (p.getClassName().length() > Bounds.MAX_CLASS_NAME_CHARS) {
                return Optional.of("process class name longer than " + Bounds.MAX_CLASS_NAME_CHARS);
            }
        }
        if (f.getClassesCount() > Bounds.MAX_CLASSES) {
            return Optional.of(f.getClassesCount() + " classes (at most " + Bounds.MAX_CLASSES + ")");
        }
        for (var c : f.getClassesList()) {
            if (c.getName().length() > Bounds.MAX_CLASS_NAME_CHARS) {
                return Optional.of("class name longer than " + Bounds.MAX_CLASS_NAME_CHARS);
            }
        }
        double steal = f.getContention().getStealShare();
        if (!(steal >= 0 && steal <= 1)) {
            return Optional.of("steal share " + steal + " outside 0..1");
        }
        return Optional.empty();
    }
}
