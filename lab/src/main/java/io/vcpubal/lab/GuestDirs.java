package io.vcpubal.lab;

import java.nio.file.Path;

/**
 * Where one guest's host-side files live: {@code <lab run dir>/<guest name>/}. Public for guests another program
 * starts from the same layout (libvirt domains, {@code io.vcpubal.lab.libvirt}).
 */
public record GuestDirs(Path root) {
    /** sun_path in struct sockaddr_un holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    public Path qmpSocket() {
        return root.resolve("qmp.sock");
    }

    public Path agentSocket() {
        return root.resolve("agent.sock");
    }

    /** Host side of the lab's doorbell port (see {@link QemuCommand#DOORBELL_PORT}). */
    public Path doorbellSocket() {
        return root.resolve("doorbell.sock");
    }

    public Path consoleLog() {
        return root.resolve("console.log");
    }

    /** QEMU's own stdout and stderr (option errors, warnings). */
    public Path qemuOutput() {
        return root.resolve("qemu.out");
    }

    public Path share() {
        return root.resolve("share");
    }

    /** Creates the share with the runner's command, run and output folders. */
    public void createShare() {
        try {
            for (String d : java.util.List.of("cmd", "run", "out")) {
                java.nio.file.Files.createDirectories(share().resolve(d));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not create " + share(), e);
        }
    }

    /** Fails early with a clear message instead of QEMU's "UNIX socket path too long". */
    public void checkSocketPaths() {
        for (Path socket : new Path[] {qmpSocket(), agentSocket(), doorbellSocket()}) {
            int bytes = socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_SOCKET_PATH_BYTES) {
                throw new LabException("socket path is " + bytes + " bytes, the limit is " + MAX_SOCKET_PATH_BYTES
                        + ": " + socket);
            }
        }
    }
}
