package io.vcpubal.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket only ever appears at its final path with its final mode and group. */
class StagedSocketTest {
    @TempDir
    Path dir;

    @Test
    void theSocketIsBoundPrivatelyAndAppearsWithItsModeAndGroup() throws Exception {
        String group = otherGroup();
        Path target = dir.resolve("run/notify.sock");
        try (StagedSocket staged = StagedSocket.prepare(target);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path privateDir = staged.bindPath().getParent();
            assertEquals(target.getParent(), privateDir.getParent(), "beside the target: same file system");
            assertEquals("rwx------", mode(privateDir));
            server.bind(UnixDomainSocketAddress.of(staged.bindPath()));
            assertFalse(Files.exists(target), "nothing at the final path before publish");

            staged.publish(PosixFilePermissions.fromString("rw-rw----"), group);
            PosixFileAttributes a = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertTrue(a.isOther(), "a socket");
            assertEquals("rw-rw----", PosixFilePermissions.toString(a.permissions()));
            assertEquals(group, a.group().getName());
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
                assertTrue(server.accept().isConnected(), "the renamed socket still accepts");
            }
        }
        assertEquals(List.of("notify.sock"), names(target.getParent()), "private directory removed");
    }

    @Test
    void aStaleSocketAndTheLeftoversOfACrashAreReplaced() throws Exception {
        Path target = dir.resolve("notify.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(target));
        }
        Path leftover = Files.createDirectory(dir.resolve(".notify.sock.123"));
        Files.writeString(leftover.resolve("s"), "");
        try (StagedSocket staged = StagedSocket.prepare(target);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertFalse(Files.exists(leftover));
            server.bind(UnixDomainSocketAddress.of(staged.bindPath()));
            staged.publish(PosixFilePermissions.fromString("rw-------"), null);
            assertEquals("rw-------", mode(target));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
                assertTrue(server.accept().isConnected());
            }
        }
    }

    @Test
    void anUnknownGroupPublishesNothing() throws Exception {
        Path target = dir.resolve("notify.sock");
        try (StagedSocket staged = StagedSocket.prepare(target);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(staged.bindPath()));
            assertThrows(UserPrincipalNotFoundException.class,
                    () -> staged.publish(PosixFilePermissions.fromString("rw-rw----"), "no-such-group-vcpubal"));
            assertFalse(Files.exists(target));
        }
        assertEquals(List.of(), names(dir));
    }

    /** A group other than our own, to see that publish sets it; only root may give any group. */
    static String otherGroup() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chgrp to another group");
        return "daemon";
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
