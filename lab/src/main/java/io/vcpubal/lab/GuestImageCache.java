package io.vcpubal.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A directory of guest images that survives across runs. An image is built only when missing: Debian's
 * kernel package (the one {@code linux-image-amd64} depends on) and {@code busybox-static} are fetched with
 * {@code apt-get download}, unpacked with {@code dpkg -x}, {@code depmod} computes module dependencies, and
 * an initramfs is packed with busybox, the virtio/9p modules and the lab's {@code /init}.
 *
 * <p>Layout: {@code debs/} keeps downloaded packages; {@code images/<kernel package>-<recipe>/} holds
 * {@code vmlinuz}, {@code initrd.img} and {@code image.properties}. Images are built in a temporary
 * directory and renamed into place, and builders take a file lock, so several JVMs can share the cache.
 */
public final class GuestImageCache {
    /** Environment variable that overrides the default cache directory. */
    public static final String ENV = "VCPUBAL_LAB_CACHE";

    static final String BUSYBOX_PACKAGE = "busybox-static";
    private static final String PROPERTIES = "image.properties";
    private static final Object JVM_LOCK = new Object();

    private final Path dir;
    private final Consumer<String> progress;

    /** A cache in {@code dir} that prints progress lines ("lab: ...") to standard output. */
    public GuestImageCache(Path dir) {
        this(dir, System.out::println);
    }

    GuestImageCache(Path dir, Consumer<String> progress) {
        this.dir = dir.toAbsolutePath();
        this.progress = progress;
    }

    /** {@code $VCPUBAL_LAB_CACHE}, else {@code ~/.cache/vcpubal-lab}. */
    public static GuestImageCache defaultCache() {
        String env = System.getenv(ENV);
        Path dir = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "vcpubal-lab");
        return new GuestImageCache(dir);
    }

    /** The cache directory (absolute). */
    public Path dir() {
        return dir;
    }

    /** Returns the image for the current kernel package, building it first if the cache lacks it. */
    public GuestImage prepare() {
        Prerequisites.require(List.of(HostTool.APT_CACHE));
        try {
            Files.createDirectories(dir);
            synchronized (JVM_LOCK) {
                try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lock(lockFile)) {
                    return prepareLocked();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("guest image cache " + dir, e);
        }
    }

    private FileLock lock(FileChannel lockFile) throws IOException {
        FileLock lock = lockFile.tryLock();
        if (lock != null) {
            return lock;
        }
        progress.accept("lab: waiting for another process that prepares " + dir + " ...");
        return lockFile.lock();
    }

    private GuestImage prepareLocked() throws IOException {
        removeStaleBuilds();
        String recipe = GuestScripts.fingerprint();
        Optional<String> pkg = kernelPackage();
        if (pkg.isEmpty()) {
            Optional<GuestImage> cached = newestCachedImage(recipe);
            if (cached.isPresent()) {
                return cached.get();
            }
            Prerequisites.require(List.of(HostTool.APT_GET));
            progress.accept("lab: apt-cache knows no " + KernelPackage.META_PACKAGE + ", running apt-get update ...");
            HostCommand.run(dir, HostTool.APT_GET, "update");
            pkg = kernelPackage();
        }
        String kernelPackage = pkg.orElseThrow(() -> new LabException(
                "vcpubal lab: `apt-cache depends " + KernelPackage.META_PACKAGE
                        + "` names no linux-image package even after apt-get update; is this Debian amd64?"));
        Path imageDir = dir.resolve("images").resolve(kernelPackage + "-" + recipe);
        if (Files.isRegularFile(imageDir.resolve(PROPERTIES))) {
            return load(imageDir);
        }
        return build(kernelPackage, imageDir);
    }

    private Optional<String> kernelPackage() {
        return KernelPackage.parseAptCacheDepends(
                HostCommand.run(dir, HostTool.APT_CACHE, "depends", KernelPackage.META_PACKAGE));
    }

    private Optional<GuestImage> newestCachedImage(String recipe) throws IOException {
        Path images = dir.resolve("images");
        if (!Files.isDirectory(images)) {
            return Optional.empty();
        }
        try (Stream<Path> list = Files.list(images)) {
            return list.filter(p -> p.getFileName().toString().endsWith("-" + recipe))
                    .filter(p -> Files.isRegularFile(p.resolve(PROPERTIES)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .map(this::load);
        }
    }

    private GuestImage load(Path imageDir) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(imageDir.resolve(PROPERTIES))) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + imageDir.resolve(PROPERTIES), e);
        }
        return new GuestImage(imageDir.resolve(props.getProperty("kernelFile", "vmlinuz")),
                imageDir.resolve("initrd.img"),
                props.getProperty("kernelVersion", "unknown"));
    }

    private void removeStaleBuilds() throws IOException {
        // we hold the lock, so any build directory belongs to a builder that died
        try (DirectoryStream<Path> builds = Files.newDirectoryStream(dir, ".build-*")) {
            for (Path b : builds) {
                FileTrees.deleteRecursively(b);
            }
        }
    }

    private GuestImage build(String kernelPackage, Path imageDir) throws IOException {
        Prerequisites.require(Prerequisites.IMAGE);
        Path work = Files.createTempDirectory(dir, ".build-");
        try {
            Path kernelDeb = download(kernelPackage);
            Path busyboxDeb = download(BUSYBOX_PACKAGE);

            progress.accept("lab: unpacking " + kernelDeb.getFileName() + " ...");
            Path kernelTree = work.resolve("kernel");
            HostCommand.run(work, HostTool.DPKG, "-x", kernelDeb.toString(), kernelTree.toString());
            Path busyboxTree = work.resolve("busybox");
            HostCommand.run(work, HostTool.DPKG, "-x", busyboxDeb.toString(), busyboxTree.toString());

            Path modulesRoot = modulesRoot(kernelTree);
            String version = onlyChild(modulesRoot, "kernel module directory").getFileName().toString();
            Path vmlinuz = kernelTree.resolve("boot").resolve("vmlinuz-" + version);
            if (!Files.isRegularFile(vmlinuz)) {
                throw new LabException(kernelDeb + " has modules for " + version + " but no boot/vmlinuz-" + version);
            }
            progress.accept("lab: depmod " + version + " ...");
            HostCommand.run(work, HostTool.DEPMOD, "-b", kernelTree.toString(), version);
            Path moduleDir = modulesRoot.resolve(version);
            ModuleDeps deps = ModuleDeps.parse(Files.readAllLines(moduleDir.resolve("modules.dep")),
                    readIfExists(moduleDir.resolve("modules.builtin")));
            List<String> order = deps.loadOrder(ModuleDeps.GUEST_ROOTS);

            progress.accept("lab: building initramfs (" + order.size() + " modules) ...");
            Path staging = work.resolve("initramfs");
            List<String> moduleFiles = new ArrayList<>();
            for (String rel : order) {
                String file = ModuleDeps.moduleName(rel) + ".ko";
                decompressModule(moduleDir.resolve(rel), staging.resolve("lib/modules").resolve(file));
                moduleFiles.add(file);
            }
            Path busybox = Stream.of("bin/busybox", "usr/bin/busybox").map(busyboxTree::resolve)
                    .filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new LabException(busyboxDeb + " contains no bin/busybox"));
            Files.createDirectories(staging.resolve("bin"));
            Files.copy(busybox, staging.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String d : List.of("dev", "proc", "sys", "mnt", "tmp", "run")) {
                Files.createDirectories(staging.resolve(d));
            }
            FileTrees.write(staging.resolve("init"), GuestScripts.init(moduleFiles), "rwxr-xr-x");
            FileTrees.write(staging.resolve("lab/runner.sh"), GuestScripts.runner(), "rwxr-xr-x");
            FileTrees.write(staging.resolve("lab/job.sh"), GuestScripts.job(), "rwxr-xr-x");

            Path image = work.resolve("image");
            Files.createDirectories(image);
            Initramfs.write(staging, image.resolve("initrd.img"));
            String kernelFile = uncompressedKernel(vmlinuz, kernelTree.resolve("boot/config-" + version), work,
                    image.resolve("vmlinux")) ? "vmlinux" : "vmlinuz";
            if (kernelFile.equals("vmlinuz")) {
                Files.copy(vmlinuz, image.resolve("vmlinuz"));
            }
            Properties props = new Properties();
            props.setProperty("kernelPackage", kernelPackage);
            props.setProperty("kernelVersion", version);
            props.setProperty("kernelFile", kernelFile);
            props.setProperty("kernelDeb", kernelDeb.getFileName().toString());
            props.setProperty("busyboxDeb", busyboxDeb.getFileName().toString());
            props.setProperty("modules", String.join(",", moduleFiles));
            props.setProperty("built", Instant.now().toString());
            try (OutputStream out = Files.newOutputStream(image.resolve(PROPERTIES))) {
                props.store(out, "vcpubal lab guest image");
            }
            Files.createDirectories(imageDir.getParent());
            try {
                Files.move(image, imageDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // another builder won the race (possible only for a builder without the lock)
                if (!Files.isRegularFile(imageDir.resolve(PROPERTIES))) {
                    throw e;
                }
            }
            progress.accept("lab: guest image ready in " + imageDir);
            return load(imageDir);
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** The cached .deb of {@code pkg}, downloaded first if missing. */
    private Path download(String pkg) throws IOException {
        Path debs = dir.resolve("debs");
        Files.createDirectories(debs);
        Optional<Path> cached = cachedDeb(debs, pkg);
        if (cached.isPresent()) {
            return cached.get();
        }
        progress.accept("lab: downloading " + pkg + " ...");
        Path tmp = Files.createTempDirectory(debs, ".download-");
        try {
            HostCommand.run(tmp, HostTool.APT_GET, "download", pkg);
            Path deb = cachedDeb(tmp, pkg).orElseThrow(() -> new LabException(
                    "apt-get download " + pkg + " succeeded but left no " + pkg + "_*.deb"));
            Path target = debs.resolve(deb.getFileName());
            Files.move(deb, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            FileTrees.deleteRecursively(tmp);
        }
    }

    private static Optional<Path> cachedDeb(Path dir, String pkg) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, pkg + "_*.deb")) {
            List<Path> found = new ArrayList<>();
            s.forEach(found::add);
            // the highest version string wins if an old one is still lying around
            return found.stream().max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }

    private static Path modulesRoot(Path kernelTree) throws IOException {
        Path lib = kernelTree.resolve("lib/modules");
        Path usrLib = kernelTree.resolve("usr/lib/modules");
        if (!Files.isDirectory(lib) && Files.isDirectory(usrLib)) {
            // depmod -b looks in BASE/lib/modules
            Files.createDirectories(lib.getParent());
            Files.createSymbolicLink(lib, Path.of("../usr/lib/modules"));
        }
        if (!Files.isDirectory(lib)) {
            throw new LabException("kernel package has no lib/modules directory: " + kernelTree);
        }
        return lib;
    }

    private static Path onlyChild(Path dir, String what) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> children = s.filter(Files::isDirectory).toList();
            if (children.size() != 1) {
                throw new LabException("expected one " + what + " in " + dir + ", found " + children);
            }
            return children.get(0);
        }
    }

    private static List<String> readIfExists(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
    }

    /**
     * Writes the uncompressed ELF kernel to {@code target} if the kernel can boot that way (PVH entry) and
     * its compression can be undone here; returns false to boot the bzImage instead (slower, still fine).
     */
    private boolean uncompressedKernel(Path vmlinuz, Path config, Path work, Path target) throws IOException {
        if (!readIfExists(config).contains("CONFIG_PVH=y")) {
            progress.accept("lab: kernel has no PVH entry point; booting the compressed kernel");
            return false;
        }
        byte[] bz = Files.readAllBytes(vmlinuz);
        Optional<BzImage.Payload> payload = BzImage.locate(bz);
        if (payload.isEmpty()) {
            progress.accept("lab: kernel compression not recognised; booting the compressed kernel");
            return false;
        }
        BzImage.Payload p = payload.get();
        progress.accept("lab: decompressing the kernel (" + p.format() + ") for faster boots ...");
        Path compressed = work.resolve("vmlinux.compressed");
        try (OutputStream out = Files.newOutputStream(compressed)) {
            out.write(bz, p.offset(), p.length());
        }
        if (p.format() == BzImage.Format.GZIP) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(compressed))) {
                Files.copy(in, target);
            }
        } else {
            HostTool tool = p.format() == BzImage.Format.XZ ? HostTool.XZ : HostTool.ZSTD;
            Optional<Path> exe = tool.find();
            if (exe.isEmpty()) {
                progress.accept("lab: no " + tool.command() + " (Debian package " + tool.debianPackage()
                        + "); booting the compressed kernel, which is slower");
                return false;
            }
            HostCommand.run(work, List.of(exe.get().toString(), "-dc"), compressed, target);
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(target)) {
            if (in.readNBytes(head, 0, 4) != 4 || !BzImage.isElf(head)) {
                Files.delete(target);
                progress.accept("lab: decompressed kernel is no ELF file; booting the compressed kernel");
                return false;
            }
        }
        return true;
    }

    /** busybox insmod may not read compressed modules, so they are decompressed here. */
    private static void decompressModule(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        String name = source.getFileName().toString();
        if (name.endsWith(".ko")) {
            Files.copy(source, target);
        } else if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
                Files.copy(in, target);
            }
        } else if (name.endsWith(".ko.xz")) {
            HostCommand.run(target.getParent(), List.of(HostTool.XZ.require().toString(), "-dc", source.toString()),
                    null, target);
        } else if (name.endsWith(".ko.zst")) {
            HostCommand.run(target.getParent(),
                    List.of(HostTool.ZSTD.require().toString(), "-dc", source.toString()), null, target);
        } else {
            throw new LabException("unknown kernel module format: " + source);
        }
    }
}
