package io.vcpubal.guest.apps;

import io.vcpubal.protocol.transport.StagedSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.vcpubal.client.CpuState;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The local Unix socket where applications subscribe to the online CPU count (format: {@link CpuState}).
 * Mode 0660, group configurable, so only members of that group (and root) can subscribe.
 */
public final class NotifyServer implements AutoCloseable {
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-rw----");

    private final Path socket;
    private final OnlineBroadcast broadcast = new OnlineBroadcast();
    private final AppContention contention = new AppContention();
    private Channel serverChannel;

    private NotifyServer(Path socket) {
        this.socket = socket;
    }

    /**
     * Binds the socket with mode 0660 and, when {@code group} is not null, that group, both set before the
     * socket appears at {@code socket} (see {@link StagedSocket}); a stale socket left by a crashed agent is
     * replaced.
     */
    public static NotifyServer start(Path socket, String group, EventLoopGroup loop) throws IOException {
        NotifyServer s = new NotifyServer(socket);
        try (StagedSocket staged = StagedSocket.prepare(socket)) {
            s.serverChannel = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerDomainSocketChannel.class)
                    .childHandler(new NotifyInitializer(s.broadcast, s.contention, System::nanoTime))
                    .bind(UnixDomainSocketAddress.of(staged.bindPath()))
                    .syncUninterruptibly()
                    .channel();
            staged.publish(MODE, group);
        } catch (IOException | RuntimeException e) {
            if (s.serverChannel != null) {
                s.serverChannel.close().syncUninterruptibly();
            }
            throw e;
        }
        return s;
    }

    /**
     * Tells every subscriber the new state (and remembers it for those who connect later), unless a reading
     * taken later than {@code readNanos} ({@link System#nanoTime()}) was published already.
     */
    public void publish(CpuState state, long readNanos) {
        broadcast.publish(state.toLine(), readNanos);
    }

    /** The line subscribers have been (or are being) sent; null before the first publish. */
    public String currentLine() {
        return broadcast.current();
    }

    public int subscriberCount() {
        return broadcast.size();
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
        broadcast.close();
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
