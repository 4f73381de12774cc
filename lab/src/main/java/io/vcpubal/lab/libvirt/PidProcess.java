package io.vcpubal.lab.libvirt;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A {@link Process} for a QEMU that libvirt started (found by pid), so a lab {@link io.vcpubal.lab.Guest} can
 * watch it like one of its own. It has no streams, and its exit code is unknown (-1): libvirt reaps it.
 */
final class PidProcess extends Process {
    private final ProcessHandle handle;

    PidProcess(ProcessHandle handle) {
        this.handle = handle;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            handle.onExit().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }

    @Override
    public int exitValue() {
        if (handle.isAlive()) {
            throw new IllegalThreadStateException("QEMU " + handle.pid() + " is running");
        }
        return -1;
    }

    @Override
    public void destroy() {
        handle.destroy();
    }

    @Override
    public boolean isAlive() {
        return handle.isAlive();
    }

    @Override
    public long pid() {
        return handle.pid();
    }

    @Override
    public ProcessHandle toHandle() {
        return handle;
    }
}
