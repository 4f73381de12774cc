package io.vcpubal.guest.fence;

import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.guest.sysfs.Errno;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device interrupts: {@code <root>/proc/irq/N/smp_affinity_list} per IRQ and {@code default_smp_affinity}
 * for IRQs set up later. The first steer remembers every affinity it overwrites; {@link #restore} puts them
 * back, so an admin's (or irqbalance's) choice survives a fence. Without a memory (the agent restarted after
 * a crash) restoring spreads every IRQ over all online CPUs, the kernel's own default.
 */
final class IrqAffinity {
    private final Path irqDir;
    private final CpuSysfs.OnlineWriter writer;
    private final Map<String, String> saved = new TreeMap<>();

    IrqAffinity(Path root, CpuSysfs.OnlineWriter writer) {
        this.irqDir = root.resolve("proc/irq");
        this.writer = writer;
    }

    /** How many IRQs a steer moved, and "IRQ: errno" for each one the kernel kept where it was. */
    record Steering(int steered, List<String> refused) {}

    /** Steers every IRQ that lets itself be moved onto {@code kept}. */
    Steering steer(CpuSet kept) throws IOException {
        List<String> refused = new ArrayList<>();
        int steered = 0;
        if (!Files.isDirectory(irqDir)) {
            return new Steering(0, refused);
        }
        String list = kept.toString();
        for (String irq : irqs()) {
            Path file = irqDir.resolve(irq).resolve("smp_affinity_list");
            try {
                String before = Files.readString(file, StandardCharsets.US_ASCII).strip();
                if (before.equals(list)) {
                    continue;
                }
                writer.write(file, list);
                saved.putIfAbsent(irq, before);
                steered++;
            } catch (IOException e) {
                refused.add(irq + ": " + Errno.describe(e));
            }
        }
        Path dflt = irqDir.resolve("default_smp_affinity");
        if (Files.exists(dflt)) {
            String before = Files.readString(dflt, StandardCharsets.US_ASCII).strip();
            writer.write(dflt, CpuMask.format(kept));
            saved.putIfAbsent("default", before);
        }
        return new Steering(steered, refused);
    }

    /** Puts back what {@link #steer} overwrote; with nothing remembered and {@code recovering}, all online CPUs. */
    void restore(CpuSet online, boolean recovering) throws IOException {
        if (!Files.isDirectory(irqDir)) {
            return;
        }
        if (saved.isEmpty() && recovering) {
            for (String irq : irqs()) {
                tryWrite(irqDir.resolve(irq).resolve("smp_affinity_list"), online.toString());
            }
            tryWrite(irqDir.resolve("default_smp_affinity"), CpuMask.format(online));
            return;
        }
        for (Map.Entry<String, String> e : saved.entrySet()) {
            Path file = e.getKey().equals("default") ? irqDir.resolve("default_smp_affinity")
                    : irqDir.resolve(e.getKey()).resolve("smp_affinity_list");
            // An affinity naming only CPUs that went offline since is refused; all online CPUs is the fallback.
            if (!tryWrite(file, e.getValue())) {
                tryWrite(file, e.getKey().equals("default") ? CpuMask.format(online) : online.toString());
            }
        }
        saved.clear();
    }

    private boolean tryWrite(Path file, String value) {
        if (!Files.exists(file)) {
            return true;
        }
        try {
            writer.write(file, value);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> irqs() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(irqDir)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && Files.exists(d.resolve("smp_affinity_list"))) {
                    out.add(name);
                }
            }
        }
        out.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        return out;
    }
}
