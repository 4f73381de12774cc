package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostToolTest {
    @Test
    void missingToolsNameTheirDebianPackagesOnce() {
        String message = HostTool.missingMessage(List.of(HostTool.QEMU, HostTool.APT_GET, HostTool.APT_CACHE));
        assertTrue(message.contains("qemu-system-x86_64 (Debian package qemu-system-x86)"), message);
        assertTrue(message.endsWith("apt-get install --no-install-recommends qemu-system-x86 apt"), message);
    }

    @Test
    void requireFailsWithTheInstallHint() {
        HostTool missing = new HostTool("vcpubal-no-such-tool", "vcpubal-no-such-package");
        assertEquals(Optional.empty(), missing.find());
        LabException e = assertThrows(LabException.class, missing::require);
        assertTrue(e.getMessage().contains("apt-get install --no-install-recommends vcpubal-no-such-package"));
    }

    @Test
    void findsToolsOnPathAndInSbin() {
        assertTrue(new HostTool("sh", "dash").find().isPresent());
        // sbin is searched even when PATH lacks it; ldconfig lives only there on Debian
        assertTrue(new HostTool("ldconfig", "libc-bin").find().map(p -> p.startsWith("/usr/sbin") || p.startsWith("/sbin"))
                .orElse(false));
    }

    @Test
    void parentDeathSignalWrapsTheCommandWhenSetprivExists() {
        assertEquals(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--", "qemu", "-m", "1"),
                ProcessLauncher.withParentDeathSignal(List.of("qemu", "-m", "1"), Optional.of(Path.of("/usr/bin/setpriv"))));
        assertEquals(List.of("qemu"), ProcessLauncher.withParentDeathSignal(List.of("qemu"), Optional.empty()));
    }

    @Test
    void socketPathsOverTheKernelLimitAreRejectedEarly() {
        new GuestDirs(Path.of("/tmp/vcpubal-lab-1234567890123456789/guest-name")).checkSocketPaths();
        GuestDirs tooLong = new GuestDirs(Path.of("/tmp/" + "x".repeat(100)));
        LabException e = assertThrows(LabException.class, tooLong::checkSocketPaths);
        assertTrue(e.getMessage().contains("limit is 107"), e.getMessage());
    }
}
