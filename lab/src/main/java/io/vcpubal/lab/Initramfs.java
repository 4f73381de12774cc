package io.vcpubal.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Packs a staging directory into a gzip'd newc cpio archive, the format the kernel unpacks as initramfs. */
public final class Initramfs {
    private Initramfs() {
    }

    /** Writes {@code target} from everything under {@code staging}, owned by root:root. */
    public static void write(Path staging, Path target) {
        Path list = null;
        Path raw = null;
        try {
            List<String> entries;
            try (Stream<Path> walk = Files.walk(staging)) {
                // sorted: a directory comes before its contents
                entries = walk.filter(p -> !p.equals(staging))
                        .map(p -> staging.relativize(p).toString())
                        .sorted()
                        .collect(Collectors.toList());
            }
            list = Files.createTempFile(target.getParent(), ".cpio-list-", "");
            Files.writeString(list, String.join("\0", entries) + "\0", StandardCharsets.UTF_8);
            raw = Files.createTempFile(target.getParent(), ".cpio-", "");
            HostCommand.run(staging, List.of(HostTool.CPIO.require().toString(),
                    "--quiet", "-o", "-H", "newc", "-R", "0:0", "-0"), list, raw);
            try (InputStream in = Files.newInputStream(raw);
                 OutputStream out = new GZIPOutputStream(Files.newOutputStream(target), 1 << 16)) {
                in.transferTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write initramfs " + target, e);
        } finally {
            try {
                if (list != null) {
                    Files.deleteIfExists(list);
                }
                if (raw != null) {
                    Files.deleteIfExists(raw);
                }
            } catch (IOException ignored) {
                // leftovers in a build directory that is deleted anyway
            }
        }
    }
}
