package io.vcpubal.lab.libvirt;

import io.vcpubal.lab.Guest;
import io.vcpubal.lab.GuestDirs;
import io.vcpubal.lab.GuestImage;
import io.vcpubal.lab.GuestSpec;
import io.vcpubal.lab.LabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One lab guest booted by libvirt instead of by the lab: a TCG domain ({@code <domain type='qemu'>}) with direct
 * kernel boot of the lab's kernel and initramfs, the host root and a writable share over 9p, the vcpubal channel
 * and the lab's doorbell channel, so {@link #guest()} runs commands exactly like the lab's own guests. The weight
 * is given one of the ways an admin would ({@link Weight}). Persistent ({@code virsh define}) so it can be
 * destroyed and started again.
 */
public final class LabDomain {
    /** How the domain XML carries its weight. */
    public sealed interface Weight {
        /** vcpubal's metadata element. */
        record Metadata(int weight) implements Weight {}

        /** {@code <cputune><shares>}, as OpenStack and oVirt write it. */
        record Shares(long shares) implements Weight {}

        /** Neither: vcpubal's default. */
        record None() implements Weight {}
    }

    private final GuestSpec spec;
    private final GuestDirs dirs;
    private final String xml;
    private Guest guest;

    private LabDomain(GuestSpec spec, GuestDirs dirs, String xml) {
        this.spec = spec;
        this.dirs = dirs;
        this.xml = xml;
    }

    /** Writes the XML into {@code dir} and defines the domain (named after the spec); does not start it. */
    public static LabDomain define(GuestSpec spec, Weight weight, GuestImage image, Path dir) {
        GuestDirs dirs = new GuestDirs(dir);
        dirs.checkSocketPaths();
        dirs.createShare();
        String xml = xml(spec, weight, image, dirs);
        try {
            Files.writeString(dir.resolve("domain.xml"), xml);
        } catch (IOException e) {
            throw new LabException("cannot write the domain XML into " + dir + ": " + e.getMessage(), e);
        }
        LabDomain d = new LabDomain(spec, dirs, xml);
        d.undefine(); // a lab run that died may have left one of this name
        LibvirtHost.virsh("define", dir.resolve("domain.xml").toString());
        return d;
    }

    public String name() {
        return spec.name();
    }

    /** Starts the domain; returns at once (call {@link Guest#awaitReady} on {@link #guest()}). */
    public Guest start() {
        try {
            Files.deleteIfExists(dirs.share().resolve("ready"));
        } catch (IOException e) {
            throw new LabException("cannot reset " + dirs.share() + ": " + e.getMessage(), e);
        }
        LibvirtHost.virsh("start", name());
        long pid = LibvirtHost.pidOf(Path.of("/run/libvirt/qemu/" + name() + ".pid"))
                .orElseThrow(() -> new LabException("libvirt started " + name() + " but wrote no pid file"));
        Process qemu = new PidProcess(ProcessHandle.of(pid)
                .orElseThrow(() -> new LabException("QEMU of " + name() + " (pid " + pid + ") exited at once")));
        guest = Guest.adopt(spec, dirs, qemu);
        return guest;
    }

    /** The running guest (after {@link #start}). */
    public Guest guest() {
        if (guest == null) {
            throw new IllegalStateException("domain " + name() + " is not started");
        }
        return guest;
    }

    /** {@code virsh destroy}: QEMU is killed at once, as a crash or a forced power-off would. */
    public void destroy() {
        LibvirtHost.virsh("destroy", name());
        guest = null;
    }

    /**
     * Destroys (if running) and undefines the domain; never throws. Its console and libvirt's log of its QEMU go
     * where the lab keeps guests' logs ({@link io.vcpubal.lab.Lab#KEEP_LOGS_PROPERTY}) when that is set.
     */
    public void remove() {
        undefine();
        keepLogs();
    }

    private void undefine() {
        for (String[] cmd : new String[][] {{"destroy", name()}, {"undefine", name()}}) {
            try {
                LibvirtHost.virsh(cmd);
            } catch (LabException e) {
                // not running, or already gone
            }
        }
    }

    private void keepLogs() {
        String keep = System.getProperty(io.vcpubal.lab.Lab.KEEP_LOGS_PROPERTY);
        if (keep == null || keep.isBlank()) {
            return;
        }
        try {
            Path to = Files.createDirectories(Path.of(keep));
            for (Path log : new Path[] {dirs.consoleLog(), Path.of("/var/log/libvirt/qemu/" + name() + ".log")}) {
                if (Files.exists(log)) {
                    Files.copy(log, to.resolve("libvirt-" + name() + "-" + log.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("libvirt lab: could not keep the logs of " + name() + ": " + e);
        }
    }

    /** The host side of the vcpubal channel. */
    public Path agentSocket() {
        return dirs.agentSocket();
    }

    public String xml() {
        return xml;
    }

    /** The domain XML (pure). */
    static String xml(GuestSpec spec, Weight weight, GuestImage image, GuestDirs dirs) {
        String metadata = weight instanceof Weight.Metadata m
                ? "  <metadata>\n    <vcpubal:vm xmlns:vcpubal=\"http://vcpubal.io/xmlns/libvirt/1\" weight=\"" + m.weight()
                        + "\"/>\n  </metadata>\n" : "";
        String cputune = weight instanceof Weight.Shares s ? "  <cputune><shares>" + s.shares() + "</shares></cputune>\n" : "";
        return "<domain type='qemu'>\n"
                + "  <name>" + spec.name() + "</name>\n"
                + metadata
                + "  <memory unit='MiB'>" + spec.memoryMiB() + "</memory>\n"
                + "  <vcpu>" + spec.vcpus() + "</vcpu>\n"
                + cputune
                + "  <os>\n"
                + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                + "    <kernel>" + esc(image.kernel()) + "</kernel>\n"
                + "    <initrd>" + esc(image.initrd()) + "</initrd>\n"
                // no_timer_check: a domain pinned onto a busy host CPU while it boots can miss the kernel's
                // IO-APIC timer check under TCG ("IO-APIC + timer doesn't work!" panic); cloud images set it too
                + "    <cmdline>console=ttyS0 panic=-1 no_timer_check</cmdline>\n"
                + "  </os>\n"
                + "  <features><acpi/></features>\n"
                // the lab's -no-reboot: a failed /init ends the domain instead of looping
                + "  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>\n"
                + "  <devices>\n"
                + "    <serial type='file'><source path='" + esc(dirs.consoleLog()) + "'/><target port='0'/></serial>\n"
                + "    <filesystem type='mount' accessmode='passthrough' multidevs='remap'>\n"
                + "      <source dir='/'/><target dir='hostroot'/><readonly/>\n"
                + "    </filesystem>\n"
                + "    <filesystem type='mount' accessmode='passthrough' multidevs='remap'>\n"
                + "      <source dir='" + esc(dirs.share()) + "'/><target dir='labshare'/>\n"
                + "    </filesystem>\n"
                + channel(dirs.agentSocket(), "io.vcpubal.agent.0")
                + channel(dirs.doorbellSocket(), "io.vcpubal.lab.0")
                + "    <memballoon model='none'/>\n"
                + "  </devices>\n"
                + "</domain>\n";
    }

    private static String channel(Path socket, String port) {
        return "    <channel type='unix'><source mode='bind' path='" + esc(socket) + "'/>"
                + "<target type='virtio' name='" + port + "'/></channel>\n";
    }

    private static String esc(Path p) {
        return p.toString().replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;");
    }

    /** How long a TCG domain takes to boot at most here (see Lab.DEFAULT_READY_TIMEOUT). */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
}
