package io.vcpubal.lab.debian;

import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestResult;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.Lab;
import io.vcpubal.lab.LabException;
import java.time.Duration;

/**
 * One boot of a real Debian 12 guest with systemd and udev: the fixture for tests of what users install.
 * It boots a {@link DebianRoot} (the lab's kernel, 9p root, {@code switch_root} to systemd), runs commands
 * through the lab's runner ({@link #sh}, or {@link #guest()} for everything a lab guest offers) and, on
 * close, syncs and stops QEMU. Booting the same root again is a reboot of the same machine.
 *
 * <pre>{@code
 * try (DebianRoot root = DebianRoot.unpack(new DebianImageCache(GuestImageCache.defaultCache()).prepare());
 *      DebianGuest vm = DebianGuest.boot(image, root, GuestSpec.of("deb", 2))) {
 *     vm.sh("systemctl is-system-running");
 * }
 * }</pre>
 */
public final class DebianGuest implements AutoCloseable {
    /** systemd boots in ~40 s under TCG here, minutes while other guests boot on the same 2 cores. */
    public static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private final Lab lab;
    private final Guest guest;

    private DebianGuest(Lab lab) {
        this.lab = lab;
        this.guest = lab.guests().get(0);
    }

    /**
     * Boots {@code root} and waits until systemd has finished starting up ("running", or "degraded": a
     * 9p-root guest has no kernel modules for kmod-static-nodes).
     */
    public static DebianGuest boot(DebianImage image, DebianRoot root, GuestSpec spec) {
        GuestSpec withRoot = spec.withExtraQemuArgs("-virtfs", "local,path=" + root.path().toString().replace(",", ",,")
                + ",mount_tag=" + DebianScripts.ROOT_TAG + ",security_model=passthrough,multidevs=remap");
        Lab lab = Lab.builder().image(image.boot()).guest(withRoot).readyTimeout(BOOT_TIMEOUT).start();
        DebianGuest vm = new DebianGuest(lab);
        try {
            String state = vm.guest.exec("systemctl is-system-running --wait", BOOT_TIMEOUT).stdout().strip();
            if (!state.equals("running") && !state.equals("degraded")) {
                throw new LabException("guest " + spec.name() + ": systemd is " + state + "\n" + vm.guest.consoleTail());
            }
            return vm;
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /** The lab guest: exec, spawn, QMP and agent sockets, console log. */
    public Guest guest() {
        return guest;
    }

    /** Runs a shell command as root and returns its stdout; fails with its output on a non-zero exit. */
    public String sh(String command) {
        return sh(command, COMMAND_TIMEOUT);
    }

    /** {@link #sh(String)} with its own timeout. */
    public String sh(String command, Duration timeout) {
        GuestResult r = guest.exec(command, timeout);
        if (r.exitCode() != 0) {
            throw new LabException("guest " + guest.name() + ": exit " + r.exitCode() + ": " + command
                    + "\n--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr());
        }
        return r.stdout();
    }

    /** Syncs the root to the host and stops QEMU (a power cut after sync: the next boot is clean enough). */
    @Override
    public void close() {
        try {
            if (guest.isAlive()) {
                guest.exec("sync", Duration.ofSeconds(60));
            }
        } catch (RuntimeException e) {
            // the guest is gone or hung: stopping it is all that is left
        } finally {
            lab.close();
        }
    }
}
