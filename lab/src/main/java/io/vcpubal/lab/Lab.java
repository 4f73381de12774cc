package io.vcpubal.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A set of real Linux guests running under QEMU (TCG, multi-threaded), booted in parallel from a cached
 * {@link GuestImage}. Closing the lab stops every QEMU and deletes the run directory; a shutdown hook does
 * the same on Ctrl-C, and QEMU is started so that it also dies if this JVM is killed outright.
 *
 * <pre>{@code
 * try (Lab lab = Lab.start(GuestSpec.of("g1", 2))) {
 *     Guest g = lab.guest("g1");
 *     String online = g.exec("cat /sys/devices/system/cpu/online", Duration.ofSeconds(30)).requireOk().stdout();
 * }
 * }</pre>
 *
 * <p>Each guest's host-side files live in {@code /tmp/vcpubal-lab-<random>/<guest>/} (short, because Unix
 * socket paths are limited to 108 bytes): {@code qmp.sock}, {@code agent.sock}, {@code console.log},
 * {@code share/}.
 */
public final class Lab implements AutoCloseable {
    /** System property: a directory that receives every guest's console log when the lab closes. */
    public static final String KEEP_LOGS_PROPERTY = "vcpubal.lab.logs";
    /** Default boot timeout: boot to runner takes ~5 s per guest under TCG on 2 cores, more when busy. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);

    private final GuestImage image;
    private final Path runDir;
    private final Path keepLogsIn;
    private final List<Guest> guests = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lab(GuestImage image, Path runDir, Path keepLogsIn) {
        this.image = image;
        this.runDir = runDir;
        this.keepLogsIn = keepLogsIn;
    }

    /** Boots the given guests with the default image cache and timeout, and waits until all are ready. */
    public static Lab start(GuestSpec... specs) {
        return builder().guests(List.of(specs)).start();
    }

    /** A builder for labs with non-default image, timeout or log directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** All guests, in the order they were specified. */
    public List<Guest> guests() {
        return List.copyOf(guests);
    }

    /** The guest with this name; throws if there is none. */
    public Guest guest(String name) {
        for (Guest g : guests) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no guest named '" + name + "' in this lab");
    }

    /**
     * Crashes guest {@code name}'s QEMU (SIGKILL) and starts a new one on the same sockets and share, as a
     * supervisor restarting a VM would; returns the new guest at once, before it boots (call
     * {@link Guest#awaitReady}). The old {@link Guest} must not be used any more.
     */
    public Guest restart(String name) {
        if (closed.get()) {
            throw new LabException("lab closed");
        }
        Guest old = guest(name);
        Guest fresh = old.relaunch(HostTool.QEMU.require(), image);
        guests.set(guests.indexOf(old), fresh);
        return fresh;
    }

    /** The image every guest of this lab booted. */
    public GuestImage image() {
        return image;
    }

    /** {@code /tmp/vcpubal-lab-<random>}; deleted by {@link #close()}. */
    public Path runDir() {
        return runDir;
    }

    /**
     * Stops every guest (QMP quit, then SIGTERM, then SIGKILL), keeps console logs if configured, and
     * deletes the run directory. Idempotent; never throws for a guest that is already gone.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            List<Thread> stoppers = new ArrayList<>();
            for (Guest g : guests) {
                Thread t = new Thread(g::stop, "vcpubal-lab-stop-" + g.name());
                t.start();
                stoppers.add(t);
            }
            boolean interrupted = false;
            for (Thread t : stoppers) {
                while (t.isAlive()) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        interrupted = true; // finish stopping first
                    }
                }
            }
            keepLogs();
            FileTrees.deleteRecursively(runDir);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            LabReaper.unregister(this);
        }
    }

    private void keepLogs() {
        if (keepLogsIn == null) {
            return;
        }
        try {
            Files.createDirectories(keepLogsIn);
            for (Guest g : guests) {
                String prefix = runDir.getFileName() + "-" + g.name();
                if (Files.exists(g.consoleLog())) {
                    Files.copy(g.consoleLog(), keepLogsIn.resolve(prefix + "-console.log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                Path qemuOutput = g.consoleLog().resolveSibling("qemu.out");
                if (Files.exists(qemuOutput) && Files.size(qemuOutput) > 0) {
                    Files.copy(qemuOutput, keepLogsIn.resolve(prefix + "-qemu.out"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("lab: could not keep console logs in " + keepLogsIn + ": " + e);
        }
    }

    /**
     * Waits for guest {@code i}; a QEMU killed by a signal while booting (TCG has segfaulted here during PCI
     * enumeration, once in many boots) is booted once more, said on stderr; any other failure is final.
     */
    private void awaitReadyOrRebootOnce(int i, Path qemu, Duration readyTimeout) {
        Guest g = guests.get(i);
        try {
            g.awaitReady(readyTimeout);
        } catch (LabException e) {
            if (g.isAlive() || g.process().exitValue() <= 128) {
                throw e;
            }
            System.err.println("lab: guest " + g.name() + ": QEMU died of signal " + (g.process().exitValue() - 128)
                    + " while booting; booting it once more");
            Guest fresh = g.relaunch(qemu, image);
            guests.set(i, fresh);
            fresh.awaitReady(readyTimeout);
        }
    }

    private void launch(Path qemu, GuestSpec spec) {
        if (closed.get()) {
            throw new LabException("lab closed while starting guests");
        }
        guests.add(Guest.launch(qemu, spec, image, new GuestDirs(runDir.resolve(spec.name()))));
    }

    /** Configures and starts a {@link Lab}. */
    public static final class Builder {
        private final List<GuestSpec> specs = new ArrayList<>();
        private GuestImageCache cache;
        private GuestImage image;
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private Path keepLogsIn;

        private Builder() {
            String keep = System.getProperty(KEEP_LOGS_PROPERTY);
            if (keep != null && !keep.isBlank()) {
                keepLogsIn = Path.of(keep);
            }
        }

        /** Adds a guest to boot; names must be unique. */
        public Builder guest(GuestSpec spec) {
            specs.add(Objects.requireNonNull(spec));
            return this;
        }

        /** Adds guests to boot, in this order. */
        public Builder guests(List<GuestSpec> list) {
            list.forEach(this::guest);
            return this;
        }

        /** The image cache to prepare the image from (default {@link GuestImageCache#defaultCache()}). */
        public Builder imageCache(GuestImageCache c) {
            this.cache = Objects.requireNonNull(c);
            return this;
        }

        /** Boots this image instead of preparing one from the cache. */
        public Builder image(GuestImage i) {
            this.image = Objects.requireNonNull(i);
            return this;
        }

        /** How long {@link #start()} waits for every guest to be ready (default 180 s). */
        public Builder readyTimeout(Duration d) {
            this.readyTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Copy each guest's console log into {@code dir} on close (default: the system property). */
        public Builder keepLogsIn(Path dir) {
            this.keepLogsIn = dir;
            return this;
        }

        /**
         * Prepares the image if needed, starts all QEMUs at once and waits until every guest is ready.
         * On any failure everything started so far is torn down before the exception propagates.
         */
        public Lab start() {
            if (specs.isEmpty()) {
                throw new IllegalArgumentException("a lab needs at least one guest");
            }
            Set<String> names = new HashSet<>();
            for (GuestSpec s : specs) {
                if (!names.add(s.name())) {
                    throw new IllegalArgumentException("duplicate guest name: " + s.name());
                }
            }
            Path qemu = HostTool.QEMU.require();
            GuestImage img = image != null ? image : (cache != null ? cache : GuestImageCache.defaultCache()).prepare();
            // under /tmp, not java.io.tmpdir: socket paths must stay short
            Path tmp = Path.of("/tmp");
            StaleRuns.clean(tmp);
            Path runDir;
            try {
                runDir = Files.createTempDirectory(tmp, StaleRuns.PREFIX,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                StaleRuns.markOwner(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a lab run directory in /tmp", e);
            }
            Lab lab = new Lab(img, runDir, keepLogsIn);
            LabReaper.register(lab);
            try {
                for (GuestSpec s : specs) {
                    lab.launch(qemu, s);
                }
                // all QEMUs boot concurrently; waiting in order costs nothing extra
                for (int i = 0; i < lab.guests.size(); i++) {
                    lab.awaitReadyOrRebootOnce(i, qemu, readyTimeout);
                }
                return lab;
            } catch (RuntimeException | Error e) {
                lab.close();
                throw e;
            }
        }
    }
}
