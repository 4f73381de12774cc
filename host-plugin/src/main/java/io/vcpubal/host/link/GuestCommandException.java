package io.vcpubal.host.link;

import io.vcpubal.protocol.v1.Error;

/** A guest answered a command with an Error, or did not answer in time. */
public final class GuestCommandException extends Exception {
    private final Error.Code code;

    public GuestCommandException(Error.Code code, String message) {
        super(message);
        this.code = code;
    }

    /** The guest's error code; CODE_UNSPECIFIED for a timeout or a lost link. */
    public Error.Code code() {
        return code;
    }
}
