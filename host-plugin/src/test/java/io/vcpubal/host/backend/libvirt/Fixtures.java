package io.vcpubal.host.backend.libvirt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Domain XML files under test resources: real {@code virsh dumpxml} output of the lab's domains, and variants. */
final class Fixtures {
    private Fixtures() {}

    static String xml(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DomainXml domain(String name) {
        return DomainXml.parse(xml(name));
    }
}
