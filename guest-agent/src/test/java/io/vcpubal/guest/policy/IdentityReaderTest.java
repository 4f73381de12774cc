package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityReaderTest {
    @TempDir
    Path root;

    @Test
    void readsCommCmdlineCgroupAndStartTime() throws IOException {
        ProcFixture.process(root, 300, 900, "nginx", "nginx: worker\0-g\0daemon off;\0", "/system.slice/web.service");
        ProcessIdentity p = new IdentityReader(root).read(300).orElseThrow();
        assertEquals(new ProcessIdentity(300, 1, 900, "nginx", "nginx: worker -g daemon off;", "/system.slice/web.service",
                false), p);
    }

    @Test
    void kernelThreadsAreMarkedAndHaveNoCmdline() throws IOException {
        ProcFixture.kernelThread(root, 2, "kthreadd");
        ProcessIdentity p = new IdentityReader(root).read(2).orElseThrow();
        assertTrue(p.kernelThread());
        assertEquals("", p.cmdline());
        assertEquals("/", p.cgroup());
    }

    @Test
    void aReusedPidHasAnotherStartTime() throws IOException {
        IdentityReader reader = new IdentityReader(root);
        ProcFixture.process(root, 300, 900, "old", "old\0", "/");
        ProcessIdentity before = reader.read(300).orElseThrow();
        ProcFixture.process(root, 300, 5000, "new", "new\0", "/");
        ProcessIdentity after = reader.read(300).orElseThrow();
        assertNotEquals(before.startTicks(), after.startTicks());
        assertEquals(5000, reader.startTicks(300).getAsLong());
    }

    @Test
    void anExitedProcessIsEmpty() {
        assertTrue(new IdentityReader(root).read(4242).isEmpty());
        assertTrue(new IdentityReader(root).startTicks(4242).isEmpty());
    }

    @Test
    void longCommandLinesAreCut() throws IOException {
        ProcFixture.process(root, 300, 900, "java", "java\0" + "x".repeat(10_000) + "\0", "/");
        assertEquals(IdentityReader.MAX_CMDLINE_BYTES, new IdentityReader(root).read(300).orElseThrow().cmdline().length());
    }

    @Test
    void cmdlineAndCgroupParsing() {
        assertEquals("a b c", IdentityReader.cmdline("a\0b\0c\0\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", IdentityReader.cmdline(new byte[0]));
        assertEquals("/user.slice", IdentityReader.cgroupV2(List.of("4:cpu,cpuacct:/x", "0::/user.slice")));
        assertEquals("", IdentityReader.cgroupV2(List.of("4:cpu,cpuacct:/x")));
    }

    @Test
    void aMissingCommFallsBackToStat() throws IOException {
        ProcFixture.process(root, 300, 900, "sh", "sh\0", "/");
        Files.delete(root.resolve("proc/300/comm"));
        assertEquals("sh", new IdentityReader(root).read(300).orElseThrow().comm());
    }
}
