package io.vcpubal.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixture trees: {@code virtio/udev} has the udev symlink (a plain file here); {@code virtio/sysfs} has no
 * {@code /dev/virtio-ports} and four ports: vport0p1 org.qemu.guest_agent.0, vport0p2 io.vcpubal.agent.0,
 * vport0p3 unnamed, vport1p1 io.vcpubal.agent.1 without a device node.
 */
class VirtioPortLocatorTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(VirtioPortLocatorTest.class.getResource("/virtio/" + name).toURI());
    }

    @Test
    void udevSymlinkIsPreferred() throws Exception {
        Path root = fixture("udev");
        assertEquals(Optional.of(root.resolve("dev/virtio-ports/io.vcpubal.agent.0")),
                new VirtioPortLocator(root).locate(VirtioPortLocator.DEFAULT_PORT_NAME));
    }

    @Test
    void withoutUdevTheSysfsNameLeadsToTheDeviceNode() throws Exception {
        Path root = fixture("sysfs");
        VirtioPortLocator locator = new VirtioPortLocator(root);
        assertEquals(Optional.of(root.resolve("dev/vport0p2")), locator.locate("io.vcpubal.agent.0"));
        assertEquals(Optional.of(root.resolve("dev/vport0p1")), locator.locate("org.qemu.guest_agent.0"));
    }

    @Test
    void portWithoutDeviceNodeOrUnknownNameIsNotFound() throws Exception {
        VirtioPortLocator locator = new VirtioPortLocator(fixture("sysfs"));
        assertEquals(Optional.empty(), locator.locate("io.vcpubal.agent.1"));
        assertEquals(Optional.empty(), locator.locate("no.such.port"));
        assertEquals(Optional.empty(), locator.locate(""), "an unnamed port never matches");
    }

    @Test
    void requireNamesThePortsThatExist() throws Exception {
        VirtioPortLocator locator = new VirtioPortLocator(fixture("sysfs"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> locator.require("no.such.port"));
        assertTrue(e.getMessage().contains("no.such.port"), e.getMessage());
        assertTrue(e.getMessage().contains("vport0p1=org.qemu.guest_agent.0"), e.getMessage());
        assertEquals(fixture("sysfs").resolve("dev/vport0p2"), locator.require("io.vcpubal.agent.0"));
    }

    @Test
    void emptyRootFindsNothing(@TempDir Path empty) {
        assertEquals(Optional.empty(), new VirtioPortLocator(empty).locate(VirtioPortLocator.DEFAULT_PORT_NAME));
    }

    @Test
    void nameFileParsing() {
        assertEquals("io.vcpubal.agent.0", VirtioPortLocator.parseName(List.of("io.vcpubal.agent.0 ")));
        assertEquals("", VirtioPortLocator.parseName(List.of()));
        assertEquals("", VirtioPortLocator.parseName(List.of("")));
    }
}
