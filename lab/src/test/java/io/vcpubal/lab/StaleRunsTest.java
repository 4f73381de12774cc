package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleRunsTest {
    private static final Instant START = Instant.parse("2026-11-22T03:16:40.120Z");
    private static final LongFunction<Optional<Instant>> ONLY_4242 =
            pid -> pid == 4242 ? Optional.of(START) : Optional.empty();

    @Test
    void ownerIsAliveOnlyWithTheSamePidAndStartTime() {
        assertTrue(StaleRuns.ownerAlive("4242 2026-11-22T03:16:40.120Z\n", ONLY_4242));
        assertFalse(StaleRuns.ownerAlive("4243 2026-11-22T03:16:40.120Z", ONLY_4242), "dead pid");
        assertFalse(StaleRuns.ownerAlive("4242 2026-11-21T00:00:00Z", ONLY_4242), "pid reused by another process");
    }

    @Test
    void unreadableOwnersAreNeverTakenForDead() {
        assertTrue(StaleRuns.ownerAlive("", ONLY_4242));
        assertTrue(StaleRuns.ownerAlive("garbage", ONLY_4242));
        assertTrue(StaleRuns.ownerAlive("x 2026-11-22T03:16:40.120Z", ONLY_4242));
        assertTrue(StaleRuns.ownerAlive("4242 ?", ONLY_4242), "start time unknown when written");
    }

    @Test
    void thisJvmOwnsItsRunsAndDeadOwnersRunsAreDeleted(@TempDir Path tmp) throws Exception {
        Path mine = Files.createDirectory(tmp.resolve(StaleRuns.PREFIX + "mine"));
        StaleRuns.markOwner(mine);
        Path dead = Files.createDirectory(tmp.resolve(StaleRuns.PREFIX + "dead"));
        Files.createDirectories(dead.resolve("g1/share"));
        Files.writeString(dead.resolve(StaleRuns.OWNER_FILE), "999999999 2026-11-22T03:16:40.120Z\n");
        Path fresh = Files.createDirectory(tmp.resolve(StaleRuns.PREFIX + "being-created"));
        Path other = Files.createDirectory(tmp.resolve("not-ours"));
        Files.writeString(other.resolve(StaleRuns.OWNER_FILE), "999999999 x\n");

        StaleRuns.clean(tmp);

        assertTrue(Files.exists(mine));
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(fresh), "no owner yet and new: may be another JVM's lab starting");
        assertTrue(Files.exists(other));
    }
}
