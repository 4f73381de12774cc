package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock is what one daemon process holds against another, so the holder here is another JVM. */
class DaemonLockTest {
    @TempDir
    Path dir;

    @Test
    void aLockHeldByAnotherProcessStopsTheServerAndItsDeathFreesIt() throws Exception {
        Path sock = dir.resolve("host.sock");
        Path holderSource = Files.writeString(dir.resolve("Holder.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        System.out.println(c.tryLock() != null ? "locked" : "busy");
                        System.in.read();
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(java, holderSource.toString(), DaemonLock.lockFileOf(sock).toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            IOException e = assertThrows(IOException.class, () -> new ControlServer(sock, null, new RecordingHandler()));
            assertTrue(e.getMessage().startsWith("another vcpubal-host daemon is running on " + sock), e.getMessage());
            assertFalse(Files.exists(sock));
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (ControlServer server = new ControlServer(sock, null, new RecordingHandler())) {
            assertTrue(ControlClient.request(sock, ControlServerTest.op("status")).get("ok").getAsBoolean());
        }
    }
}
