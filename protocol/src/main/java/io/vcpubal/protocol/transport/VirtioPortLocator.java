package io.vcpubal.protocol.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds the character device of a named virtio-serial port inside the guest, the way qemu-ga's users do:
 * <ol>
 *   <li>{@code /dev/virtio-ports/NAME}, the symlink udev creates;</li>
 *   <li>without udev (an initramfs, a minimal container), {@code /sys/class/virtio-ports/vportXpY/name} holds
 *       the port's name and the device is {@code /dev/vportXpY}.</li>
 * </ol>
 * All paths are resolved under a root so tests can use fixture trees.
 */
public final class VirtioPortLocator {
    /** The port name the host side creates for vcpubal ({@code -device virtserialport,name=...}). */
    public static final String DEFAULT_PORT_NAME = "io.vcpubal.agent.0";

    private final Path root;

    /** A locator that looks under {@code root} ({@code /} on a real guest). */
    public VirtioPortLocator(Path root) {
        this.root = root;
    }

    /** The device of port {@code name}, if the guest has it. Unreadable sysfs entries are skipped. */
    public Optional<Path> locate(String name) {
        Path udev = root.resolve("dev/virtio-ports").resolve(name);
        if (Files.exists(udev)) {
            return Optional.of(udev);
        }
        return scanSysfs().entrySet().stream()
                .filter(e -> e.getValue().equals(name))
                .map(e -> root.resolve("dev").resolve(e.getKey()))
                .filter(Files::exists)
                .findFirst();
    }

    /**
     * Like {@link #locate(String)}, but a missing port is an error that names where it looked and which ports
     * exist (typically: the VM was started without the port, or with another name).
     */
    public Path require(String name) throws NoSuchFileException {
        return locate(name).orElseThrow(() -> new NoSuchFileException(root.resolve("dev/virtio-ports/" + name)
                .toString(), null, "no virtio-serial port named '" + name + "'; ports present (sysfs dir=name): "
                + scanSysfs()));
    }

    /** The {@code name} file's content: one line holding the port name; empty or absent means unnamed. */
    static String parseName(List<String> lines) {
        return lines.isEmpty() ? "" : lines.get(0).trim();
    }

    /** Port directory name → port name for every named port, sorted by directory name. */
    private TreeMap<String, String> scanSysfs() {
        TreeMap<String, String> ports = new TreeMap<>();
        Path dir = root.resolve("sys/class/virtio-ports");
        if (!Files.isDirectory(dir)) {
            return ports;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path port : entries) {
                String name = readName(port.resolve("name"));
                if (!name.isEmpty()) {
                    ports.put(port.getFileName().toString(), name);
                }
            }
        } catch (IOException e) {
            return ports; // a port that vanished while listing is simply not there
        }
        return ports;
    }

    private static String readName(Path file) {
        try {
            return parseName(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }
}
