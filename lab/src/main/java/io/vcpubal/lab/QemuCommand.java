package io.vcpubal.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The QEMU command line of one lab guest (pure: no files are touched). */
final class QemuCommand {
    /** The virtio-serial port name the guest agent looks for. */
    static final String AGENT_PORT = "io.vcpubal.agent.0";
    /** The lab's own port: the host writes a byte per submitted command so the runner wakes at once. */
    static final String DOORBELL_PORT = "io.vcpubal.lab.0";
    /**
     * Kernel command line. panic=-1 plus QEMU's -no-reboot turn a failed /init into a QEMU exit, which the
     * host notices at once. (Quieter log levels and probing switches made no measurable difference.)
     */
    static final String KERNEL_APPEND = "console=ttyS0 panic=-1";

    private QemuCommand() {
    }

    static List<String> build(Path qemu, GuestSpec spec, GuestImage image, GuestDirs dirs) {
        List<String> c = new ArrayList<>();
        c.add(qemu.toString());
        c.addAll(List.of("-name", "guest=" + spec.name() + ",debug-threads=on"));
        // MTTCG: one host thread per vCPU, so pinning vCPU threads is real (KVM hangs here, see LAB-FACTS)
        c.addAll(List.of("-accel", "tcg,thread=multi"));
        c.addAll(List.of("-smp", Integer.toString(spec.vcpus())));
        c.addAll(List.of("-m", Integer.toString(spec.memoryMiB())));
        c.addAll(List.of("-nodefaults", "-display", "none", "-no-reboot", "-no-user-config"));
        c.addAll(List.of("-serial", "file:" + dirs.consoleLog()));
        c.addAll(List.of("-kernel", image.kernel().toString()));
        c.addAll(List.of("-initrd", image.initrd().toString()));
        c.addAll(List.of("-append", KERNEL_APPEND));
        c.addAll(List.of("-qmp", "unix:" + escape(dirs.qmpSocket()) + ",server=on,wait=off"));
        c.addAll(List.of("-device", "virtio-serial-pci,id=vserial0"));
        c.addAll(List.of("-chardev", "socket,id=agent0,path=" + escape(dirs.agentSocket()) + ",server=on,wait=off"));
        c.addAll(List.of("-device", "virtserialport,bus=vserial0.0,chardev=agent0,name=" + AGENT_PORT));
        c.addAll(List.of("-chardev", "socket,id=doorbell0,path=" + escape(dirs.doorbellSocket()) + ",server=on,wait=off"));
        c.addAll(List.of("-device", "virtserialport,bus=vserial0.0,chardev=doorbell0,name=" + DOORBELL_PORT));
        c.addAll(List.of("-virtfs", "local,path=/,mount_tag=" + GuestScripts.HOST_ROOT_TAG
                + ",security_model=none,readonly=on,multidevs=remap"));
        c.addAll(List.of("-virtfs", "local,path=" + escape(dirs.share()) + ",mount_tag=" + GuestScripts.SHARE_TAG
                + ",security_model=none,multidevs=remap"));
        c.addAll(spec.extraQemuArgs());
        return c;
    }

    /** QEMU option values escape a comma by doubling it. */
    static String escape(Path path) {
        return path.toString().replace(",", ",,");
    }
}
