package io.vcpubal.guest.policy.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The units the classes changed and the assignments that put each back, kept in a file under {@code /run}
 * before the first change, so an agent that dies (kill -9) is undone by the next one. {@code /run} is a
 * tmpfs, cleared at boot with the runtime drop-ins systemd keeps there: the two agree across reboots.
 *
 * <p>One line per unit: the unit, then its assignments, separated by tabs. Written whole to a temporary
 * file and renamed, so a crash leaves the old file or the new one.
 */
public final class UnitOriginals {
    /** Beside the notify socket, in the agent unit's RuntimeDirectory. */
    public static final String FILE = "run/vcpubal/unit-classes";

    private final Path file;
    private final Map<String, List<String>> byUnit = new LinkedHashMap<>();

    /** @param root the filesystem root the file lives under */
    public UnitOriginals(Path root) {
        this.file = root.resolve(FILE);
    }

    /** What a previous run left (empty when nothing); lines it cannot read are skipped. */
    public Map<String, List<String>> load() {
        byUnit.clear();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length >= 2 && !f[0].isEmpty()) {
                    byUnit.put(f[0], List.of(f).subList(1, f.length));
                }
            }
        } catch (IOException e) {
            // none
        }
        return Map.copyOf(byUnit);
    }

    public boolean has(String unit) {
        return byUnit.containsKey(unit);
    }

    public List<String> get(String unit) {
        return byUnit.get(unit);
    }

    /** Records a unit's originals; on disk before this returns. */
    public void put(String unit, List<String> restore) throws IOException {
        byUnit.put(unit, List.copyOf(restore));
        write();
    }

    /** Forgets a unit put back. */
    public void remove(String unit) throws IOException {
        if (byUnit.remove(unit) != null) {
            write();
        }
    }

    private void write() throws IOException {
        if (byUnit.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        List<String> lines = new ArrayList<>();
        byUnit.forEach((unit, restore) -> lines.add(unit + "\t" + String.join("\t", restore)));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
