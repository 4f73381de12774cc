package io.vcpubal.lab.it;

import io.vcpubal.client.CpuCountWatcher;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestAgent;
import io.vcpubal.lab.apps.PoolApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Puts the freshly built agent (and a guest-client app) into a lab guest and runs them there. */
final class InGuest {
    private InGuest() {}

    /** The guest's java binary (the host's JDK, seen over the read-only root share). */
    static String java() {
        return Guest.javaCommand().split(" ")[0];
    }

    /** Starts the agent in {@code g} with its launcher; returns the log file. */
    static Path startAgent(Guest g, String... extraArgs) {
        return GuestAgent.start(g, extraArgs);
    }

    /** Starts {@link PoolApp} (guest-client + the app class) in the guest; returns its output file. */
    static Path startPoolApp(Guest g) {
        Path apps = g.shareDir().resolve("app");
        String cp = Guest.GUEST_SHARE + "/app/" + copyCodeSource(CpuCountWatcher.class, apps, "client")
                + ":" + Guest.GUEST_SHARE + "/app/" + copyCodeSource(PoolApp.class, apps, "lab");
        return g.spawn(java() + " -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp " + cp + " " + PoolApp.class.getName());
    }

    /** Starts a class of the lab's test apps (no guest-client) with {@code args}; returns its output file. */
    static Path startApp(Guest g, Class<?> app, String... args) {
        String cp = Guest.GUEST_SHARE + "/app/" + copyCodeSource(app, g.shareDir().resolve("app"), "lab");
        return g.spawn(java() + " -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp " + cp + " " + app.getName()
                + " " + String.join(" ", args));
    }

    /**
     * Copies the classes directory or jar a class was loaded from into {@code dir}; returns the name of
     * the copy inside {@code dir} (for a class path).
     */
    private static String copyCodeSource(Class<?> c, Path dir, String name) {
        try {
            Path from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.createDirectories(dir);
            if (Files.isRegularFile(from)) {
                Files.copy(from, dir.resolve(name + ".jar"), StandardCopyOption.REPLACE_EXISTING);
                return name + ".jar";
            }
            Path to = dir.resolve(name);
            {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : files.toList()) {
                        Path dst = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(dst);
                        } else {
                            Files.copy(f, dst, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            return name;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot copy the code of " + c + ": " + e, e);
        }
    }

    /** /sys/devices/system/cpu/online as the guest kernel reports it. */
    static String online(Guest g) {
        return g.exec("cat /sys/devices/system/cpu/online", Duration.ofSeconds(30)).requireOk().stdout().trim();
    }

    /** The JVM running this test, to start the host plugin's jar as users would. */
    static String hostJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A file's text, or an empty string while it does not exist (logs of processes still starting). */
    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
