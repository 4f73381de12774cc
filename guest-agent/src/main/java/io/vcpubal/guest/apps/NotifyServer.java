package io.vcpubal.guest.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vcpubal.client.CpuState;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The local Unix socket where applications subscribe to the online CPU count (format: {@link CpuState}).
 * Mode 0660, group configurable, so only members of that group (and root) can subscribe.
 */
public final class NotifyServer implements AutoCloseable {
    private final Path socket;
    private final ChannelGroup subscribers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AppContention contention = new AppContention();
    private volatile String currentLine;
    private Channel serverChannel;

    private NotifyServer(Path socket) {
        this.socket = socket;
    }

    /**
     * Binds the socket (replacing a stale one left by a crashed agent), sets mode 0660 and, when
     * {@code group} is not null, its group.
     */
    public static NotifyServer start(Path socket, String group, EventLoopGroup loop) throws IOException {
        NotifyServer s = new NotifyServer(socket);
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        s.serverChannel = new ServerBootstrap()
                .group(loop)
                .channel(NioServerDomainSocketChannel.class)
                .childHandler(new NotifyInitializer(s.subscribers, s, s.contention))
                .bind(UnixDomainSocketAddress.of(socket))
                .syncUninterruptibly()
                .channel();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        if (group != null && !group.isEmpty()) {
            GroupPrincipal g = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(g);
        }
        return s;
    }

    /** Tells every subscriber the new state (and remembers it for those who connect later). */
    public void publish(CpuState state) {
        String line = state.toLine();
        if (line.equals(currentLine)) {
            return;
        }
        currentLine = line;
        subscribers.writeAndFlush(line + "\n");
    }

    String currentLine() {
        return currentLine;
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Contention reported by applications since the last drain. */
    public AppContention contention() {
        return contention;
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        subscribers.close().syncUninterruptibly();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort on shutdown
        }
    }
}
