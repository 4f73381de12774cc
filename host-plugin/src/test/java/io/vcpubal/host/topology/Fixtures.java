package io.vcpubal.host.topology;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the test resources of this package. */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String relative) {
        URL url = Fixtures.class.getResource(relative);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + relative + " next to " + Fixtures.class);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The root of a fake file system holding sys/devices/system/... */
    static Path sysfsRoot(String name) {
        return path("sysfs/" + name);
    }
}
