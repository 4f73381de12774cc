package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KernelPackageTest {
    record Case(String name, List<String> output, Optional<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("debian 12 (fixture)", Fixtures.lines("apt-cache-depends-linux-image-amd64.txt"),
                        Optional.of("linux-image-6.1.0-56-amd64")),
                new Case("alternatives", List.of("linux-image-amd64",
                        " |Depends: linux-image-6.12.9+deb13-amd64", "  Depends: linux-image-6.1.0-56-amd64"),
                        Optional.of("linux-image-6.12.9+deb13-amd64")),
                new Case("virtual package is skipped", List.of("linux-image-amd64",
                        "  Depends: <linux-image>", "  Depends: linux-image-6.1.0-57-amd64"),
                        Optional.of("linux-image-6.1.0-57-amd64")),
                new Case("other dependencies are skipped", List.of("linux-image-amd64",
                        "  Depends: initramfs-tools", "  Recommends: firmware-linux-free",
                        "  Depends: linux-image-6.1.0-56-amd64"),
                        Optional.of("linux-image-6.1.0-56-amd64")),
                new Case("no package lists yet", List.of(), Optional.empty()),
                new Case("meta package only", List.of("linux-image-amd64"), Optional.empty()),
                new Case("recommends is not depends", List.of("  Recommends: linux-image-6.1.0-56-amd64"),
                        Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void findsTheVersionedKernelPackage(Case c) {
        assertEquals(c.expected(), KernelPackage.parseAptCacheDepends(c.output()));
    }
}
