package io.vcpubal.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Waits for Netty futures with a generous bound that only turns a hang into a failure. */
public final class Await {
    private static final long TIMEOUT_SECONDS = 30;

    private Await() {
    }

    /** The future's value, rethrowing its failure. */
    public static <T> T get(Future<T> f) throws Exception {
        assertTrue(f.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "future did not complete");
        if (!f.isSuccess()) {
            throw new AssertionError("future failed", f.cause());
        }
        return f.getNow();
    }

    /** Waits until the future completed, successfully or not. */
    public static void done(Future<?> f) throws InterruptedException {
        assertTrue(f.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "future did not complete");
    }
}
