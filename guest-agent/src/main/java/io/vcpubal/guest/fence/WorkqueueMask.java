package io.vcpubal.guest.fence;

import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unbound kernel work: {@code <root>/sys/devices/virtual/workqueue/cpumask}, the CPUs every unbound
 * workqueue may run on. Remembers the mask it first overwrote and puts it back on {@link #restore}.
 */
final class WorkqueueMask {
    private final Path file;
    private final CpuSysfs.OnlineWriter writer;
    private String saved;

    WorkqueueMask(Path root, CpuSysfs.OnlineWriter writer) {
        this.file = root.resolve("sys/devices/virtual/workqueue/cpumask");
        this.writer = writer;
    }

    void steer(CpuSet kept) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        String before = Files.readString(file, StandardCharsets.US_ASCII).strip();
        String mask = CpuMask.format(kept);
        if (!CpuMask.parse(before).equals(kept)) {
            writer.write(file, mask);
        }
        if (saved == null) {
            saved = before;
        }
    }

    /** With nothing remembered and {@code recovering} (a crashed agent's fence), all possible CPUs. */
    void restore(CpuSet possible, boolean recovering) throws IOException {
        if (!Files.exists(file) || (saved == null && !recovering)) {
            return;
        }
        writer.write(file, saved != null ? saved : CpuMask.format(possible));
        saved = null;
    }
}
