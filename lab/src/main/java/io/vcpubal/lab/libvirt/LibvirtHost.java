package io.vcpubal.lab.libvirt;

import io.vcpubal.lab.LabException;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A libvirtd on this machine for the lab, set up as {@code shared/LAB-FACTS.md} describes: the packages
 * {@code libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients} (tools/prerequisites.sh installs them), the
 * groups {@code kvm} and {@code libvirt-qemu} and the system user {@code libvirt-qemu} (what libvirt-daemon-system's
 * postinst would make), {@code /var/log/libvirt}, QEMU run as root (so a domain's writable 9p share is writable:
 * lab only), then {@code virtlogd -d} and {@code libvirtd -d}. A libvirtd already running is used as it is and
 * left running; what this class started (daemons, qemu.conf) it stops and removes on {@link #close}.
 */
public final class LibvirtHost implements AutoCloseable {
    public static final String URI = "qemu:///system";
    static final Path QEMU_CONF = Path.of("/etc/libvirt/qemu.conf");
    static final Path LIBVIRTD_PID = Path.of("/run/libvirtd.pid");
    static final Path VIRTLOGD_PID = Path.of("/run/virtlogd.pid");
    static final String PACKAGES = "libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final boolean startedLibvirtd;
    private final boolean startedVirtlogd;
    private final boolean wroteQemuConf;

    private LibvirtHost(boolean startedLibvirtd, boolean startedVirtlogd, boolean wroteQemuConf) {
        this.startedLibvirtd = startedLibvirtd;
        this.startedVirtlogd = startedVirtlogd;
        this.wroteQemuConf = wroteQemuConf;
    }

    /** Makes sure a libvirtd answers on {@link #URI}; fails naming what is missing. Needs root. */
    public static LibvirtHost start() {
        for (String tool : List.of("virsh", "libvirtd", "virtlogd")) {
            if (which(tool).isEmpty()) {
                throw new LabException("libvirt lab: " + tool + " not found; install with: apt-get install"
                        + " --no-install-recommends " + PACKAGES + " (tools/prerequisites.sh does)");
            }
        }
        if (answers()) {
            return new LibvirtHost(false, false, false);
        }
        ensureAccounts();
        boolean wrote = ensureQemuRunsAsRoot();
        boolean virtlogd = !alive(VIRTLOGD_PID);
        if (virtlogd) {
            run(List.of("virtlogd", "-d"), Duration.ofSeconds(30));
        }
        LibvirtHost host = new LibvirtHost(true, virtlogd, wrote);
        host.startLibvirtd();
        return host;
    }

    /** Whether {@code virsh list} works against {@link #URI}. */
    public static boolean answers() {
        try {
            return exec(List.of("virsh", "-c", URI, "-q", "list"), Duration.ofSeconds(15)).exit == 0;
        } catch (LabException e) {
            return false;
        }
    }

    /** Starts libvirtd (daemonized) and waits until it answers. */
    public void startLibvirtd() {
        run(List.of("libvirtd", "-d"), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (System.nanoTime() > deadline) {
                throw new LabException("libvirtd did not answer within " + START_TIMEOUT.toSeconds() + " s");
            }
            sleep(200);
        }
    }

    /** SIGKILLs libvirtd (its QEMUs keep running) and waits until it is gone. */
    public void killLibvirtd() {
        long pid = pidOf(LIBVIRTD_PID).orElseThrow(() -> new LabException("libvirtd is not running"));
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new LabException("libvirtd " + pid + " survived SIGKILL", e);
            }
        });
        try {
            Files.deleteIfExists(LIBVIRTD_PID);
        } catch (IOException e) {
            // libvirtd -d replaces a stale pidfile itself
        }
    }

    /** Runs {@code virsh -c URI args...}; fails with its output unless it exits 0. */
    public static String virsh(String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", URI));
        cmd.addAll(List.of(args));
        Result r = exec(cmd, Duration.ofSeconds(60));
        if (r.exit != 0) {
            throw new LabException("failed (exit " + r.exit + "): " + String.join(" ", cmd) + "\n" + r.output);
        }
        return r.output;
    }

    /** {@code virsh vcpupin DOM}: each vCPU's pin as libvirt has it (the live one of a running domain). */
    public static List<CpuSet> vcpupin(String domain) {
        List<CpuSet> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\s+([0-9,-]+)\\s*$").matcher(virsh("vcpupin", domain));
        while (m.find()) {
            out.add(CpuSet.parse(m.group(2)));
        }
        return out;
    }

    /** {@code virsh emulatorpin DOM}. */
    public static CpuSet emulatorpin(String domain) {
        return CpuSet.parse(field(virsh("emulatorpin", domain), "\\*:\\s*([0-9,-]+)", "emulatorpin " + domain));
    }

    /** {@code cpu_shares} of {@code virsh schedinfo DOM}. */
    public static long cpuShares(String domain) {
        return Long.parseLong(field(virsh("schedinfo", domain), "cpu_shares\\s*:\\s*(\\d+)", "schedinfo " + domain));
    }

    private static String field(String output, String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(output);
        if (!m.find()) {
            throw new LabException("virsh " + what + " printed no " + regex + ":\n" + output);
        }
        return m.group(1);
    }

    /**
     * Stops what {@link #start} started (libvirtd, virtlogd: SIGTERM) and removes the qemu.conf it wrote, unless
     * domains still run there: another lab run (a demo, a test) that found this libvirtd running uses it too.
     */
    @Override
    public void close() {
        if (startedLibvirtd && answers() && !virsh("list", "--name").isBlank()) {
            System.err.println("libvirt lab: domains still run in the libvirtd this lab started; leaving it running");
            return;
        }
        if (startedLibvirtd) {
            stop(LIBVIRTD_PID);
        }
        if (startedVirtlogd) {
            stop(VIRTLOGD_PID);
        }
        if (wroteQemuConf) {
            try {
                Files.deleteIfExists(QEMU_CONF);
            } catch (IOException e) {
                System.err.println("libvirt lab: could not remove " + QEMU_CONF + ": " + e);
            }
        }
    }

    private static void stop(Path pidfile) {
        pidOf(pidfile).flatMap(ProcessHandle::of).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    private static void ensureAccounts() {
        for (String group : List.of("kvm", "libvirt-qemu")) {
            if (exec(List.of("getent", "group", group), Duration.ofSeconds(10)).exit != 0) {
                run(List.of("groupadd", "--system", group), Duration.ofSeconds(30));
            }
        }
        if (exec(List.of("getent", "passwd", "libvirt-qemu"), Duration.ofSeconds(10)).exit != 0) {
            run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/var/lib/libvirt", "--shell",
                    "/usr/sbin/nologin", "--gid", "libvirt-qemu", "--groups", "kvm", "libvirt-qemu"), Duration.ofSeconds(30));
        }
        try {
            Files.createDirectories(Path.of("/var/log/libvirt"));
        } catch (IOException e) {
            throw new LabException("cannot create /var/log/libvirt: " + e.getMessage(), e);
        }
    }

    /** Writes a lab qemu.conf (QEMU as root) when there is none; returns whether it wrote one. */
    private static boolean ensureQemuRunsAsRoot() {
        try {
            if (Files.exists(QEMU_CONF)) {
                String text = Files.readString(QEMU_CONF);
                if (!text.contains("user = \"root\"")) {
                    System.err.println("libvirt lab: " + QEMU_CONF + " exists without user = \"root\": domains' writable"
                            + " 9p shares may be read-only for the guests");
                }
                return false;
            }
            Files.createDirectories(QEMU_CONF.getParent());
            Files.writeString(QEMU_CONF, "# written by the vcpubal lab (io.vcpubal.lab.libvirt.LibvirtHost), removed when"
                    + " it stops libvirtd\nuser = \"root\"\ngroup = \"root\"\n");
            return true;
        } catch (IOException e) {
            throw new LabException("cannot write " + QEMU_CONF + ": " + e.getMessage(), e);
        }
    }

    private static boolean alive(Path pidfile) {
        return pidOf(pidfile).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    static Optional<Long> pidOf(Path pidfile) {
        try {
            String t = Files.readString(pidfile).trim();
            return t.matches("\\d{1,10}") ? Optional.of(Long.parseLong(t)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> which(String tool) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private record Result(int exit, String output) {}

    private static void run(List<String> cmd, Duration timeout) {
        Result r = exec(cmd, timeout);
        if (r.exit != 0) {
            throw new LabException("failed (exit " + r.exit + "): " + String.join(" ", cmd) + "\n" + r.output);
        }
    }

    private static Result exec(List<String> cmd, Duration timeout) {
        try {
            Path out = Files.createTempFile("vcpubal-libvirt-", ".out");
            try {
                List<String> full = new ArrayList<>(cmd);
                full.set(0, which(cmd.get(0)).map(Path::toString).orElse(cmd.get(0)));
                ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                pb.environment().put("LC_ALL", "C");
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new LabException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new LabException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
