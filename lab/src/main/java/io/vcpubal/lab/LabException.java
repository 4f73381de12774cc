package io.vcpubal.lab;

/**
 * Anything the lab could not do: a missing host tool, a failed download or image build, a guest that did
 * not boot, a guest command that timed out. Messages say what to do about it (which package to install,
 * the tail of the guest console, ...), so callers usually just let it propagate.
 */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
