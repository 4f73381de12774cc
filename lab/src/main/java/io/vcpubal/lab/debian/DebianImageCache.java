package io.vcpubal.lab.debian;

import io.vcpubal.lab.FileTrees;
import io.vcpubal.lab.GuestImage;
import io.vcpubal.lab.GuestImageCache;
import io.vcpubal.lab.GuestScripts;
import io.vcpubal.lab.HostCommand;
import io.vcpubal.lab.HostTool;
import io.vcpubal.lab.Initramfs;
import io.vcpubal.lab.LabException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Builds the Debian systemd guest once and keeps it in the lab cache, in {@code debian/<key>/} next to the
 * busybox guest images. The key hashes every input (suite, packages, hooks, scripts, the lab image it takes
 * kernel, modules and busybox from), so a changed recipe builds a new image. The root comes from Debian's
 * packages through mmdebstrap (about 1-2 minutes, network needed once); the initramfs is the lab's own with
 * another {@code /init}.
 */
public final class DebianImageCache {
    static final String ROOT_TAR = "root.tar";
    static final String INITRD = "initrd.img";

    private final GuestImageCache labCache;

    public DebianImageCache(GuestImageCache labCache) {
        this.labCache = labCache;
    }

    /** The Debian image, built first if the cache lacks it; builders in several JVMs take turns. */
    public DebianImage prepare() {
        GuestImage lab = labCache.prepare();
        Path dir = labCache.dir().resolve("debian");
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                Path image = dir.resolve(key(lab));
                if (!Files.isRegularFile(image.resolve(ROOT_TAR)) || !Files.isRegularFile(image.resolve(INITRD))) {
                    build(lab, dir, image);
                }
                return new DebianImage(image.resolve(ROOT_TAR),
                        new GuestImage(lab.kernel(), image.resolve(INITRD), lab.kernelVersion()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Debian guest image in " + dir, e);
        }
    }

    private static void build(GuestImage lab, Path dir, Path image) throws IOException {
        try (var stale = Files.newDirectoryStream(dir, ".build-*")) {
            stale.forEach(FileTrees::deleteRecursively); // we hold the lock: their builders died
        }
        Path work = Files.createTempDirectory(dir, ".build-");
        try {
            Path initramfs = unpackInitramfs(lab.initrd(), work.resolve("initramfs"));
            Path files = work.resolve("files");
            Files.createDirectories(files);
            Files.copy(initramfs.resolve("bin/busybox"), files.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            FileTrees.write(files.resolve("runner.sh"), GuestScripts.runner(), "rwxr-xr-x");
            FileTrees.write(files.resolve("job.sh"), GuestScripts.job(), "rwxr-xr-x");
            FileTrees.write(files.resolve(DebianScripts.RUNNER_UNIT), DebianScripts.runnerUnit(), "rw-r--r--");

            System.out.println("lab: building the Debian " + DebianScripts.SUITE + " systemd guest with mmdebstrap"
                    + " (once; 1-2 minutes) ...");
            long start = System.nanoTime();
            Path out = work.resolve("out");
            Files.createDirectories(out);
            List<String> command = new ArrayList<>(List.of(HostTool.MMDEBSTRAP.require().toString(),
                    "--variant=" + DebianScripts.VARIANT, "--include=" + String.join(",", DebianScripts.INCLUDE)));
            for (String hook : DebianScripts.customizeHooks(files.toString())) {
                command.add("--customize-hook=" + hook);
            }
            command.addAll(List.of(DebianScripts.SUITE, out.resolve(ROOT_TAR).toString()));
            HostCommand.run(work, command, null, null);

            FileTrees.write(initramfs.resolve("init"), DebianScripts.init(), "rwxr-xr-x");
            Initramfs.write(initramfs, out.resolve(INITRD));
            Files.move(out, image, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("lab: Debian guest image ready in %s (%d s)%n", image,
                    (System.nanoTime() - start) / 1_000_000_000L);
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** The lab image's initramfs unpacked: its busybox and decompressed virtio/9p modules are reused. */
    private static Path unpackInitramfs(Path initrd, Path target) throws IOException {
        Files.createDirectories(target);
        Path cpio = target.resolveSibling("initramfs.cpio");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(initrd))) {
            Files.copy(in, cpio);
        }
        HostCommand.run(target, List.of(HostTool.CPIO.require().toString(), "--quiet", "-id", "--no-absolute-filenames"),
                cpio, null);
        Files.delete(cpio);
        if (!Files.isRegularFile(target.resolve("bin/busybox"))) {
            throw new LabException(initrd + " has no bin/busybox");
        }
        // the busybox guest's own init and runner are replaced by systemd and the runner unit
        Files.deleteIfExists(target.resolve("init"));
        FileTrees.deleteRecursively(target.resolve("lab"));
        return target;
    }

    /** Hash of every input of the image. */
    static String key(GuestImage lab) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of("debian-format=1", DebianScripts.SUITE, DebianScripts.VARIANT,
                    String.join(",", DebianScripts.INCLUDE), DebianScripts.init(), DebianScripts.runnerUnit(),
                    GuestScripts.runner(), GuestScripts.job(), lab.initrd().toString(), lab.kernelVersion()));
            parts.addAll(DebianScripts.customizeHooks("FILES"));
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return DebianScripts.SUITE + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
