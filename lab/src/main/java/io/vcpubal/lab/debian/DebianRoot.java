package io.vcpubal.lab.debian;

import io.vcpubal.lab.FileTrees;
import io.vcpubal.lab.HostCommand;
import io.vcpubal.lab.HostTool;
import io.vcpubal.lab.StaleRuns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A writable copy of a {@link DebianImage}'s root for one test: it survives reboots of its guest (each
 * {@link DebianGuest#boot} of the same root is the next boot of the same machine) and is deleted on close.
 * It lives in a lab-style run directory in /tmp, so the next lab removes it if this JVM is killed.
 */
public final class DebianRoot implements AutoCloseable {
    private final Path runDir;
    private final Path root;

    private DebianRoot(Path runDir) {
        this.runDir = runDir;
        this.root = runDir.resolve("root");
    }

    /** Unpacks the image's root (a few seconds; owners kept by number, as the guest knows them). */
    public static DebianRoot unpack(DebianImage image) {
        Path runDir;
        try {
            runDir = Files.createTempDirectory(Path.of("/tmp"), StaleRuns.PREFIX + "debroot-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            StaleRuns.markOwner(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a Debian root directory in /tmp", e);
        }
        DebianRoot r = new DebianRoot(runDir);
        try {
            Files.createDirectories(r.root);
            HostCommand.run(runDir, List.of(HostTool.TAR.require().toString(), "-x", "--numeric-owner",
                    "-f", image.rootTar().toString(), "-C", r.root.toString()), null, null);
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The guest's {@code /} as a host directory: read and write the guest's files here. */
    public Path path() {
        return root;
    }

    /** A host path for the guest path {@code guestPath} (absolute, e.g. {@code /etc/vcpubal}). */
    public Path file(String guestPath) {
        return root.resolve(guestPath.replaceFirst("^/+", ""));
    }

    /** A directory next to the root for host-side files of this machine (sockets, logs): short paths. */
    public Path hostDir() {
        return runDir;
    }

    @Override
    public void close() {
        FileTrees.deleteRecursively(runDir);
    }
}
