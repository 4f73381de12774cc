package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
    private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    private static final GuestImage IMAGE =
            new GuestImage(Path.of("/cache/img/vmlinux"), Path.of("/cache/img/initrd.img"), "6.1.0-56-amd64");
    private static final GuestDirs DIRS = new GuestDirs(Path.of("/tmp/vcpubal-lab-1/g1"));

    private static String after(List<String> args, String option) {
        int i = args.indexOf(option);
        assertTrue(i >= 0 && i + 1 < args.size(), "missing " + option + " in " + args);
        return args.get(i + 1);
    }

    private static List<String> valuesOf(List<String> args, String option) {
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals(option)) {
                values.add(args.get(i + 1));
            }
        }
        return values;
    }

    @Test
    void bootsTheSpecWithMultiThreadedTcg() {
        List<String> args = QemuCommand.build(QEMU, new GuestSpec("g1", 3, 512, List.of()), IMAGE, DIRS);
        assertEquals(QEMU.toString(), args.get(0));
        assertEquals("tcg,thread=multi", after(args, "-accel"));
        assertEquals("3", after(args, "-smp"));
        assertEquals("512", after(args, "-m"));
        assertTrue(args.containsAll(List.of("-nodefaults", "-no-reboot")));
        assertEquals("none", after(args, "-display"));
    }

    @Test
    void bootsTheImageWithAConsoleLogAndPanicExit() {
        List<String> args = QemuCommand.build(QEMU, GuestSpec.of("g1", 2), IMAGE, DIRS);
        assertEquals("/cache/img/vmlinux", after(args, "-kernel"));
        assertEquals("/cache/img/initrd.img", after(args, "-initrd"));
        assertEquals("file:/tmp/vcpubal-lab-1/g1/console.log", after(args, "-serial"));
        String append = after(args, "-append");
        assertTrue(append.contains("console=ttyS0") && append.contains("panic=-1"), append);
    }

    @Test
    void exposesQmpTheAgentPortAndTheDoorbellAsUnixSocketServers() {
        List<String> args = QemuCommand.build(QEMU, GuestSpec.of("g1", 2), IMAGE, DIRS);
        assertEquals("unix:/tmp/vcpubal-lab-1/g1/qmp.sock,server=on,wait=off", after(args, "-qmp"));
        assertEquals(List.of("socket,id=agent0,path=/tmp/vcpubal-lab-1/g1/agent.sock,server=on,wait=off",
                        "socket,id=doorbell0,path=/tmp/vcpubal-lab-1/g1/doorbell.sock,server=on,wait=off"),
                valuesOf(args, "-chardev"));
        assertEquals(List.of("virtio-serial-pci,id=vserial0",
                        "virtserialport,bus=vserial0.0,chardev=agent0,name=io.vcpubal.agent.0",
                        "virtserialport,bus=vserial0.0,chardev=doorbell0,name=io.vcpubal.lab.0"),
                valuesOf(args, "-device"));
    }

    @Test
    void sharesTheHostRootReadOnlyAndTheGuestShareWritable() {
        List<String> shares = valuesOf(QemuCommand.build(QEMU, GuestSpec.of("g1", 2), IMAGE, DIRS), "-virtfs");
        assertEquals(List.of(
                "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                "local,path=/tmp/vcpubal-lab-1/g1/share,mount_tag=labshare,security_model=none,multidevs=remap"),
                shares);
    }

    @Test
    void extraArgumentsComeLast() {
        List<String> args = QemuCommand.build(QEMU, GuestSpec.of("g1", 2).withExtraQemuArgs("-cpu", "max"), IMAGE, DIRS);
        assertEquals(List.of("-cpu", "max"), args.subList(args.size() - 2, args.size()));
    }

    @Test
    void commasInPathsAreEscapedForQemuOptions() {
        List<String> args = QemuCommand.build(QEMU, GuestSpec.of("g1", 2), IMAGE, new GuestDirs(Path.of("/tmp/a,b/g1")));
        assertEquals("unix:/tmp/a,,b/g1/qmp.sock,server=on,wait=off", after(args, "-qmp"));
        assertTrue(valuesOf(args, "-virtfs").get(1).startsWith("local,path=/tmp/a,,b/g1/share,"));
    }
}
