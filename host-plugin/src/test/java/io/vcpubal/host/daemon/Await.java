package io.vcpubal.host.daemon;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition of a running daemon until it holds; the daemon tests' one way to wait. */
final class Await {
    /** Long against any round or report period of the tests: only a broken daemon takes this long. */
    static final Duration T = Duration.ofSeconds(20);

    private Await() {}

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
