package io.vcpubal.guest.metrics;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Fixture roots under src/test/resources/fixtures (see the README there for where each came from). */
final class Fixtures {

    static final String THIS_VM = "this-vm";
    static final String THIS_VM_LATER = "this-vm-1s-later";
    static final String NO_PSI = "kernel-without-psi";
    static final String DEBUG_KERNEL = "synthetic-debug-kernel";
    static final String DEBUG_KERNEL_LATER = "synthetic-debug-kernel-1s-later";

    /** The CPU hog with spaces and parentheses in its name, and the 23-thread java process. */
    static final int TRICKY_PID = 26031;
    static final int JAVA_PID = 26032;

    private Fixtures() {
    }

    static Path root(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
