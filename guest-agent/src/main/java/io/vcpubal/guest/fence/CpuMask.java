package io.vcpubal.guest.fence;

import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The kernel's hexadecimal CPU mask format ({@code /proc/irq/default_smp_affinity}, the workqueue
 * {@code cpumask}): 32-bit words in hex, most significant first, separated by commas, e.g.
 * {@code "00000001,0000000f"} for CPUs 0-3 and 32.
 */
public final class CpuMask {
    private CpuMask() {}

    public static String format(CpuSet cpus) {
        if (cpus.isEmpty()) {
            return "0";
        }
        int words = cpus.last() / 32 + 1;
        List<String> parts = new ArrayList<>();
        for (int w = words - 1; w >= 0; w--) {
            long word = 0;
            for (int bit = 0; bit < 32; bit++) {
                if (cpus.contains(w * 32 + bit)) {
                    word |= 1L << bit;
                }
            }
            parts.add(w == words - 1 ? Long.toHexString(word) : String.format("%08x", word));
        }
        return String.join(",", parts);
    }

    /** @throws IllegalArgumentException for anything but hex digits and commas */
    public static CpuSet parse(String mask) {
        String text = mask.strip();
        if (text.isEmpty() || !text.matches("[0-9a-fA-F,]+")) {
            throw new IllegalArgumentException("not a CPU mask: \"" + text + "\"");
        }
        String[] words = text.split(",");
        BitSet bits = new BitSet();
        for (int i = 0; i < words.length; i++) {
            String word = words[words.length - 1 - i];
            if (word.isEmpty() || word.length() > 8) {
                throw new IllegalArgumentException("not a CPU mask: \"" + text + "\"");
            }
            long value = Long.parseLong(word, 16);
            for (int bit = 0; bit < 32; bit++) {
                if ((value & (1L << bit)) != 0) {
                    bits.set(i * 32 + bit);
                }
            }
        }
        return CpuSet.of(bits);
    }
}
