package io.vcpubal.lab;

import java.nio.file.Path;

/** Where one guest's host-side files live: {@code <lab run dir>/<guest name>/}. */
record GuestDirs(Path root) {
    /** sun_path in struct sockaddr_un holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    Path qmpSocket() {
        return root.resolve("qmp.sock");
    }

    Path agentSocket() {
        return root.resolve("agent.sock");
    }

    /** Host side of the lab's doorbell port (see {@link QemuCommand#DOORBELL_PORT}). */
    Path doorbellSocket() {
        return root.resolve("doorbell.sock");
    }

    Path consoleLog() {
        return root.resolve("console.log");
    }

    /** QEMU's own stdout and stderr (option errors, warnings). */
    Path qemuOutput() {
        return root.resolve("qemu.out");
    }

    Path share() {
        return root.resolve("share");
    }

    /** Fails early with a clear message instead of QEMU's "UNIX socket path too long". */
    void checkSocketPaths() {
        for (Path socket : new Path[] {qmpSocket(), agentSocket(), doorbellSocket()}) {
            int bytes = socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_SOCKET_PATH_BYTES) {
                throw new LabException("socket path is " + bytes + " bytes, the limit is " + MAX_SOCKET_PATH_BYTES
                        + ": " + socket);
            }
        }
    }
}
