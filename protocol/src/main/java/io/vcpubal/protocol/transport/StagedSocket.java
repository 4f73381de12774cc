package io.vcpubal.protocol.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A Unix socket that appears at its path with its final mode and group already set.
 *
 * <p>Binding creates the socket file with the umask's mode, and a later chmod leaves a window in which any
 * local user may connect. So the socket is bound inside a fresh directory next to the final path (created
 * atomically with mode 0700, so no one else can reach into it), given its mode and group there, and then
 * renamed onto the final path. A rename keeps the listening socket working and replaces, in the same step,
 * a stale socket a crashed process left behind.
 *
 * <p>Used by the agent's notify socket and the host's control socket. {@link #prepare} removes leftovers of
 * earlier runs: call it only while holding whatever keeps a second instance away (the host's lock file).
 */
public final class StagedSocket implements AutoCloseable {
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path target;
    private final Path dir;
    private final Path staging;

    private StagedSocket(Path target, Path dir) {
        this.target = target;
        this.dir = dir;
        // Short name: the whole path must fit the 107 bytes of sockaddr_un.
        this.staging = dir.resolve("s");
    }

    /** Creates the private directory beside {@code target} (and its parents), removing leftovers of a crash. */
    public static StagedSocket prepare(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = Files.createDirectories(absolute.getParent());
        String prefix = "." + absolute.getFileName() + ".";
        removeLeftovers(parent, prefix);
        return new StagedSocket(absolute, Files.createTempDirectory(parent, prefix,
                PosixFilePermissions.asFileAttribute(PRIVATE_DIR)));
    }

    /** Where to bind. */
    public Path bindPath() {
        return staging;
    }

    /** Sets mode and (when not null or empty) group on the bound socket, then moves it onto the final path. */
    public void publish(Set<PosixFilePermission> mode, String group) throws IOException {
        Files.setPosixFilePermissions(staging, mode);
        if (group != null && !group.isEmpty()) {
            GroupPrincipal g = staging.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            Files.getFileAttributeView(staging, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(g);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the private directory (and the socket, if it was never published). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort: a leftover is removed by the next prepare()
        }
    }

    private static void removeLeftovers(Path parent, String prefix) {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix)
                && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            for (Path d : old) {
                Files.deleteIfExists(d.resolve("s"));
                Files.deleteIfExists(d);
            }
        } catch (IOException ignored) {
            // a leftover we cannot remove does not stop a new socket
        }
    }
}
