package io.vcpubal.host.backend.qmp;

import java.io.IOException;

/** QMP failed: the socket, the greeting, a timeout, or an {"error": {...}} answer (class and desc kept). */
public final class QmpException extends IOException {
    private final String errorClass;

    public QmpException(String message) {
        this(message, null, null);
    }

    public QmpException(String message, String errorClass, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
    }

    /** QMP's error class (e.g. "CommandNotFound"), null when the failure was not an error answer. */
    public String errorClass() {
        return errorClass;
    }
}
