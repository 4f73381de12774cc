package io.vcpubal.host.backend.libvirt;

import io.vcpubal.protocol.CpuSet;
import java.util.BitSet;

/** libvirt's cpumaps (one bit per host CPU, CPU 0 in the lowest bit of byte 0) to and from {@link CpuSet}. */
final class CpuMaps {
    private CpuMaps() {}

    /** The shortest map holding {@code cpus}: libvirt treats the CPUs past a short map as not in the set. */
    static byte[] of(CpuSet cpus) {
        byte[] map = new byte[cpus.isEmpty() ? 1 : cpus.last() / 8 + 1];
        cpus.forEach(c -> map[c / 8] |= (byte) (1 << (c % 8)));
        return map;
    }

    /** The same map as the binding's {@code Domain.pinVcpu} wants it: one int per byte. */
    static int[] asInts(byte[] map) {
        int[] out = new int[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = map[i] & 0xff;
        }
        return out;
    }

    /** Bytes {@code offset .. offset+maplen-1} of {@code maps} (the binding's one-int-per-byte form) as a set. */
    static CpuSet of(int[] maps, int offset, int maplen) {
        byte[] bytes = new byte[maplen];
        for (int i = 0; i < maplen; i++) {
            bytes[i] = (byte) maps[offset + i];
        }
        return of(bytes);
    }

    static CpuSet of(byte[] map) {
        return CpuSet.of(BitSet.valueOf(map));
    }
}
