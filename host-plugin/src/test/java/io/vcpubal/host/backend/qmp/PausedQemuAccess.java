package io.vcpubal.host.backend.qmp;

import java.nio.file.Path;

/** Lets tests in other packages start a {@link PausedQemu}. */
public final class PausedQemuAccess implements AutoCloseable {
    private final PausedQemu qemu;

    private PausedQemuAccess(PausedQemu qemu) {
        this.qemu = qemu;
    }

    public static PausedQemuAccess start(Path dir, int vcpus) throws Exception {
        return new PausedQemuAccess(new PausedQemu(dir, vcpus));
    }

    public Path qmp() {
        return qemu.qmp;
    }

    @Override
    public void close() throws InterruptedException {
        qemu.close();
    }
}
