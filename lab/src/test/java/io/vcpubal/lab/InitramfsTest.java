package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {
    @TempDir
    Path tmp;

    /** Reads a newc archive: name -> "mode uid gid size" (mode in octal). */
    private static Map<String, String> readNewc(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        Map<String, String> entries = new LinkedHashMap<>();
        long pos = 0;
        while (true) {
            byte[] header = new byte[110];
            in.readFully(header);
            String h = new String(header, StandardCharsets.US_ASCII);
            assertEquals("070701", h.substring(0, 6));
            long mode = Long.parseLong(h.substring(14, 22), 16);
            long uid = Long.parseLong(h.substring(22, 30), 16);
            long gid = Long.parseLong(h.substring(30, 38), 16);
            long size = Long.parseLong(h.substring(54, 62), 16);
            int nameSize = Integer.parseInt(h.substring(94, 102), 16);
            byte[] name = new byte[nameSize];
            in.readFully(name);
            pos += 110 + nameSize;
            in.skipNBytes((4 - pos % 4) % 4);
            pos += (4 - pos % 4) % 4;
            String n = new String(name, 0, nameSize - 1, StandardCharsets.UTF_8);
            if (n.equals("TRAILER!!!")) {
                return entries;
            }
            in.skipNBytes(size);
            pos += size;
            in.skipNBytes((4 - pos % 4) % 4);
            pos += (4 - pos % 4) % 4;
            entries.put(n, Long.toOctalString(mode) + " " + uid + " " + gid + " " + size);
        }
    }

    @Test
    void packsAGzipNewcArchiveOwnedByRoot() throws IOException {
        assumeTrue(HostTool.CPIO.find().isPresent(), "needs cpio");
        Path staging = tmp.resolve("staging");
        FileTrees.write(staging.resolve("init"), "#!/bin/busybox sh\n", "rwxr-xr-x");
        FileTrees.write(staging.resolve("lib/modules/9p.ko"), "module", "rw-r--r--");
        Files.createDirectories(staging.resolve("proc"));
        Path target = tmp.resolve("initrd.img");

        Initramfs.write(staging, target);

        try (InputStream in = new GZIPInputStream(Files.newInputStream(target))) {
            Map<String, String> entries = readNewc(in);
            assertEquals(Map.of(
                    "init", "100755 0 0 18",
                    "lib", "40755 0 0 0",
                    "lib/modules", "40755 0 0 0",
                    "lib/modules/9p.ko", "100644 0 0 6",
                    "proc", "40755 0 0 0"), entries);
            assertEquals("init", entries.keySet().iterator().next(), "sorted, parents first");
        }
    }
}
