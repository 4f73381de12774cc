package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real peers of other users: as root, a client runs as {@code nobody} (setpriv) with the groups each case
 * needs, so SO_PEERCRED carries credentials that are not the daemon's. Skipped unless root with setpriv and
 * perl (for a dependency-free Unix-socket client).
 */
class ControlPeerCredentialsTest {
    static final String NOBODY = "65534";
    /** The read-only group of these tests: "daemon", gid 1 on Debian and Fedora. */
    static final String READ_ONLY_GID = "1";

    @TempDir
    Path dir;

    final RecordingHandler handler = new RecordingHandler();
    Path sock;

    @BeforeEach
    void asRootWithTools() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a client as another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/perl")),
                "needs setpriv and perl");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        sock = dir.resolve("host.sock");
    }

    @Test
    void theReadOnlyGroupMayAskForStatusButNotSetWeights() throws Exception {
        try (ControlServer server = new ControlServer(sock, "daemon", handler)) {
            assertEquals("{\"vms\":[],\"ok\":true}", asNobody(READ_ONLY_GID, "{\"op\":\"status\"}"));
            assertEquals("{\"ok\":false,\"error\":\"user nobody (primary group daemon) may only ask for status or top;"
                            + " set-weight needs root or the daemon's user (root)\"}",
                    asNobody(READ_ONLY_GID, "{\"op\":\"set-weight\",\"vm\":\"a\",\"weight\":9}"));
            assertEquals(List.of(), handler.weights);
        }
    }

    @Test
    void aSupplementaryMemberPassesTheModeButIsRefusedByName() throws Exception {
        try (ControlServer server = new ControlServer(sock, "daemon", handler)) {
            assertEquals("{\"ok\":false,\"error\":\"user nobody (primary group nogroup) may not use the vcpubal-host"
                            + " control socket: only root or the daemon's user (root) may, and for status or top a process"
                            + " whose primary group is daemon\"}",
                    asNobody("65534", "{\"op\":\"status\"}", "--groups=" + READ_ONLY_GID));
        }
    }

    @Test
    void withoutReadOnlyGroupOtherUsersCannotEvenConnect() throws Exception {
        try (ControlServer server = new ControlServer(sock, null, handler)) {
            assertEquals("connect: Permission denied", asNobody(READ_ONLY_GID, "{\"op\":\"status\"}"));
        }
    }

    /** Sends {@code request} as user nobody with primary group {@code gid}; the answer line or the error. */
    private String asNobody(String gid, String request, String... groups) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + gid));
        cmd.add(groups.length == 0 ? "--clear-groups" : groups[0]);
        cmd.addAll(List.of("/usr/bin/perl", "-MIO::Socket::UNIX", "-e",
                "my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or do { print \"connect: $!\\n\"; exit 0 };"
                        + " print $s \"$ARGV[1]\\n\"; my $l = <$s>; print $l // \"no answer\\n\";",
                sock.toString(), request));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client as nobody did not finish");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
