package io.vcpubal.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built packages, read back with the distributions' own tools: the DEB and the RPM of each side hold
 * the same files with the same modes, conffiles and maintainer scripts (dpkg-deb against rpm -qip, -qlp,
 * --scripts); the RPM installs into a scratch root with {@code rpm --root}; lintian has nothing to say
 * beyond the tags explained in {@link #EXPLAINED_LINTIAN_TAGS}. Install tests on a real systemd guest are
 * in the lab ({@code PackageInstallIT}).
 */
class PackagesIT {
    private static final Path DIR = Path.of(System.getProperty("vcpubal.packages.dir", "target"));

    /**
     * Lintian tags left on purpose (docs/packaging.md says why): the maintainer scripts are shared with the
     * RPM, where deb-systemd-invoke does not exist, so they call systemctl (guarded, never in a chroot);
     * there are no manual pages yet (--help is the reference); the agent's unit has no [Install] section
     * because udev starts it, like qemu-guest-agent's; and there is no SysV init script.
     */
    static final Set<String> EXPLAINED_LINTIAN_TAGS = Set.of("maintainer-script-calls-systemctl", "no-manual-page",
            "systemd-service-file-missing-install-key", "package-supports-alternative-init-but-no-init.d-script");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"vcpubal-agent", "vcpubal-host"})
    void debAndRpmHoldTheSameFilesModesConffilesAndScripts(String name) throws Exception {
        Path deb = find(name + "_*_all.deb");
        Path rpm = find(name + "-*.noarch.rpm");

        Map<String, String> debFiles = new TreeMap<>();
        for (String line : run("dpkg-deb", "-c", deb.toString())) {
            // "-rw-r--r-- root/root      1409 2026-12-02 13:13 ./etc/vcpubal/agent.conf"
            String[] f = line.trim().split("\\s+", 6);
            if (!f[0].startsWith("d")) {
                debFiles.put(f[5].substring(1) + " " + f[1].replace('/', ':'), f[0]);
            }
        }
        Map<String, String> rpmFiles = new TreeMap<>();
        for (String line : run("rpm", "-qp", "--queryformat",
                "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\\n]", rpm.toString())) {
            String[] f = line.trim().split(" ", 3);
            if (!f[0].startsWith("d")) {
                rpmFiles.put(f[2] + " " + f[1], f[0]);
            }
        }
        assertTrue(debFiles.keySet().stream().anyMatch(k -> k.startsWith("/usr/share/vcpubal/" + name + ".jar ")), debFiles.toString());
        assertEquals(debFiles, rpmFiles, "files, owners and modes of the DEB and the RPM");

        assertEquals(Set.copyOf(run("dpkg-deb", "-I", deb.toString(), "conffiles")), Set.copyOf(run("rpm", "-qpc", rpm.toString())),
                "conffiles = %config files");
        assertTrue(run("rpm", "-qp", "--queryformat", "[%{FILEFLAGS:fflags} %{FILENAMES}\n]", rpm.toString()).stream()
                .anyMatch(l -> l.matches("c.*n.* /etc/vcpubal/.*\\.conf")), "the conffile is %config(noreplace)");

        String scripts = String.join("\n", run("rpm", "-qp", "--scripts", rpm.toString()));
        for (String[] pair : new String[][] {{"postinst", "POSTIN", "postinstall"}, {"prerm", "PREUN", "preuninstall"},
                {"postrm", "POSTUN", "postuninstall"}}) {
            String debScript = String.join("\n", run("dpkg-deb", "-I", deb.toString(), pair[0]));
            String rpmScript = String.join("\n", run("rpm", "-qp", "--queryformat", "%{" + pair[1] + "}", rpm.toString()));
            assertEquals(debScript.strip(), rpmScript.strip(), pair[0] + " of the DEB = %" + pair[1] + " of the RPM");
            assertTrue(scripts.contains(pair[2] + " scriptlet (using /bin/sh):"), scripts);
            for (String line : debScript.split("\n")) {
                if (line.contains("udevadm trigger")) {
                    assertTrue(line.contains("--subsystem-match=virtio-ports"), "only virtio ports are triggered: " + line);
                }
            }
        }

        String info = String.join("\n", run("rpm", "-qip", rpm.toString()));
        assertTrue(info.contains("Name        : " + name) && info.contains("Architecture: noarch"), info);
        assertTrue(run("rpm", "-qpR", rpm.toString()).contains("java-headless >= 1:17"), "needs a Java 17 runtime");
        String control = String.join("\n", run("dpkg-deb", "-f", deb.toString(), "Depends", "Architecture"));
        assertTrue(control.contains("java17-runtime-headless") && control.contains("Architecture: all"), control);
        System.out.printf("packaging: %s: deb %d KiB, rpm %d KiB, %d files%n", name, Files.size(deb) / 1024,
                Files.size(rpm) / 1024, debFiles.size());
    }

    /** The scratch root has no shell, so scriptlets are skipped here; the lab runs the DEB's on a real guest. */
    @ParameterizedTest
    @ValueSource(strings = {"vcpubal-agent", "vcpubal-host"})
    void theRpmInstallsIntoAScratchRootAndErasesCleanly(String name) throws Exception {
        Path rpm = find(name + "-*.noarch.rpm");
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        run("rpm", "--root", root.toString(), "--initdb");
        run("rpm", "--root", root.toString(), "-i", "--nodeps", "--noscripts", rpm.toString());
        assertEquals(List.of(name), run("rpm", "--root", root.toString(), "-qa", "--queryformat", "%{NAME}\n"));
        for (String f : run("rpm", "-qlp", rpm.toString())) {
            assertTrue(Files.exists(root.resolve(f.substring(1))), f + " installed");
        }
        String launcher = name.equals("vcpubal-agent") ? "usr/sbin/vcpubal-agent" : "usr/bin/vcpubal-host";
        assertTrue(Files.isExecutable(root.resolve(launcher)), launcher);
        run("rpm", "--root", root.toString(), "-V", "--nodeps", "--noscripts", name); // verifies digests and modes
        run("rpm", "--root", root.toString(), "-e", "--nodeps", "--noscripts", name);
        try (Stream<Path> left = Files.walk(root)) {
            List<String> files = left.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(p -> !p.contains("rpmdb") && !p.contains(".rpm.lock") && !p.contains("sysimage/rpm")).toList();
            assertEquals(List.of(), files, "left behind by rpm -e");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vcpubal-agent", "vcpubal-host"})
    void lintianFindsNothingButTheExplainedTags(String name) throws Exception {
        Path deb = find(name + "_*_all.deb");
        Set<String> tags = new TreeSet<>();
        List<String> lines = new ArrayList<>();
        // lintian exits non-zero when it finds an error tag: the tags are checked below
        for (String line : run(Set.of(0, 1, 2), "lintian", "--display-info", "--pedantic", deb.toString())) {
            // "W: vcpubal-agent: no-manual-page [usr/sbin/vcpubal-agent]"
            String[] f = line.split(" ");
            if (f.length >= 3 && f[0].matches("[EWIPX]:")) {
                tags.add(f[2]);
                lines.add(line);
            }
        }
        System.out.println("packaging: lintian " + name + ":\n  " + String.join("\n  ", lines));
        tags.removeAll(EXPLAINED_LINTIAN_TAGS);
        assertEquals(Set.of(), tags, "unexplained lintian tags: " + lines);
    }

    private static Path find(String glob) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(DIR, glob)) {
            for (Path p : s) {
                return p;
            }
        }
        throw new AssertionError("no " + glob + " in " + DIR.toAbsolutePath());
    }

    /** Runs a tool; fails with its output unless it exits 0; returns stdout lines. */
    private static List<String> run(String... command) throws IOException, InterruptedException {
        return run(Set.of(0), command);
    }

    private static List<String> run(Set<Integer> okExits, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile("packages-it", ".err");
        try {
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            if (!okExits.contains(p.exitValue())) {
                throw new AssertionError("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + out + "\n"
                        + Files.readString(err));
            }
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
