package io.vcpubal.host.cgroup;

import java.nio.file.Path;

/** A cgroup operation failed for one VM; the message names the VM and the file. Other VMs are unaffected. */
public final class CgroupException extends Exception {
    private final String vm;
    private final Path file;

    /** Message "VM {vm}: {what} {file}: {reason of cause}", e.g. "VM web: cannot write 512 to /sys/.../cpu.shares: Permission denied". */
    public CgroupException(String vm, Path file, String what, Throwable cause) {
        super("VM " + vm + ": " + what + " " + file + (cause == null ? "" : ": " + reason(cause)), cause);
        this.vm = vm;
        this.file = file;
    }

    public String vm() {
        return vm;
    }

    public Path file() {
        return file;
    }

    private static String reason(Throwable cause) {
        // FileSystemException's message repeats the path; its reason ("Device or resource busy") is what helps.
        if (cause instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
