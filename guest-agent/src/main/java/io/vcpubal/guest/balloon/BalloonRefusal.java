package io.vcpubal.guest.balloon;

/** A request the balloon will not carry out; the message says why and nothing has changed. */
public final class BalloonRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    public BalloonRefusal(String message) {
        super(message, null, false, false);
    }
}
