package io.vcpubal.host.backend;

/** A hypervisor operation failed for one VM; the message names the VM and what failed. */
public final class BackendException extends Exception {
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }

    public BackendException(String message) {
        super(message);
    }
}
