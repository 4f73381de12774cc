package io.vcpubal.host.link;

import io.vcpubal.protocol.v1.Error;

/** A guest answered a command with an Error, or did not answer in time. */
public final class GuestCommandException extends Exception {
    private final Error.Code code;
    private final boolean timedOut;

    public GuestCommandException(Error.Code code, String message) {
        this(code, message, false);
    }

    private GuestCommandException(Error.Code code, String message, boolean timedOut) {
        super(message);
        this.code = code;
        this.timedOut = timedOut;
    }

    /** No answer within the command's deadline (the link may still be up). */
    public static GuestCommandException timeout(String message) {
        return new GuestCommandException(Error.Code.CODE_UNSPECIFIED, message, true);
    }

    public boolean timedOut() {
        return timedOut;
    }

    /** The guest's error code; CODE_UNSPECIFIED for a timeout or a lost link. */
    public Error.Code code() {
        return code;
    }
}
