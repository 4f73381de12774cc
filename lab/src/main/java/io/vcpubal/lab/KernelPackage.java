package io.vcpubal.lab;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the versioned kernel package that Debian's {@code linux-image-amd64} meta package points to. */
final class KernelPackage {
    static final String META_PACKAGE = "linux-image-amd64";

    // "  Depends: linux-image-6.1.0-56-amd64" (alternatives start with "|Depends:"; virtual ones are "<...>")
    private static final Pattern DEPENDS =
            Pattern.compile("^\\s*\\|?Depends:\\s*(linux-image-\\d[A-Za-z0-9.+~-]*)\\s*$");

    private KernelPackage() {
    }

    /** The first concrete {@code linux-image-<version>} dependency in {@code apt-cache depends} output. */
    static Optional<String> parseAptCacheDepends(List<String> lines) {
        for (String line : lines) {
            Matcher m = DEPENDS.matcher(line);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }
}
