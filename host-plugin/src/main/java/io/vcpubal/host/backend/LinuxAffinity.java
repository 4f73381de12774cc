package io.vcpubal.host.backend;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.BitSet;

/**
 * {@code sched_setaffinity(2)} / {@code sched_getaffinity(2)} on any thread id, through JNA. This is what
 * pins a QEMU vCPU thread (KVM or TCG alike) and what tests read back.
 */
public final class LinuxAffinity {
    /** Mask size in bytes: 8192 CPUs, the largest NR_CPUS of distro kernels. */
    private static final int MASK_LONGS = 8192 / 64;
    private static final long SYS_GETTID_X86_64 = 186;

    private interface LibC extends Library {
        int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

        int sched_getaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

        long syscall(long number) throws LastErrorException;
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private LinuxAffinity() {}

    /** Restricts thread {@code tid} to {@code cpus}. */
    public static void set(int tid, BitSet cpus) throws AffinityException {
        if (cpus.isEmpty()) {
            throw new AffinityException(tid, "empty CPU set");
        }
        long[] words = cpus.toLongArray();
        if (words.length > MASK_LONGS) {
            throw new AffinityException(tid, "CPU " + cpus.length() + " above the supported 8191");
        }
        long[] mask = new long[MASK_LONGS];
        System.arraycopy(words, 0, mask, 0, words.length);
        try {
            LIBC.sched_setaffinity(tid, mask.length * 8L, mask);
        } catch (LastErrorException e) {
            throw new AffinityException(tid, errnoText(e.getErrorCode()));
        }
    }

    /** The CPUs thread {@code tid} may run on. */
    public static BitSet get(int tid) throws AffinityException {
        long[] mask = new long[MASK_LONGS];
        try {
            LIBC.sched_getaffinity(tid, mask.length * 8L, mask);
        } catch (LastErrorException e) {
            throw new AffinityException(tid, errnoText(e.getErrorCode()));
        }
        return BitSet.valueOf(mask);
    }

    /** The calling thread's kernel thread id (Java 17 has no API for it). x86-64 only. */
    public static int currentTid() {
        return (int) LIBC.syscall(SYS_GETTID_X86_64);
    }

    private static String errnoText(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 3 -> "ESRCH";
            case 14 -> "EFAULT";
            case 22 -> "EINVAL";
            default -> "errno " + errno;
        };
        String why = switch (errno) {
            case 1 -> "not permitted (run as root or as the owner of the QEMU process)";
            case 3 -> "no such thread (the VM stopped or its vCPU was unplugged)";
            case 22 -> "the set holds no online CPU the thread is allowed to use";
            default -> "sched_setaffinity failed";
        };
        return name + ": " + why;
    }

    /** A failed affinity call, naming the thread and the errno. */
    public static final class AffinityException extends Exception {
        private final int tid;

        public AffinityException(int tid, String message) {
            super("thread " + tid + ": " + message);
            this.tid = tid;
        }

        public int tid() {
            return tid;
        }
    }
}
