package io.vcpubal.lab.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.lab.GuestImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DebianImageCacheTest {
    private static final GuestImage LAB = new GuestImage(Path.of("/cache/images/k-1/vmlinux"),
            Path.of("/cache/images/k-1/initrd.img"), "6.1.0-57-amd64");

    @Test
    void theKeyIsStableAndChangesWithTheLabImageItBuildsOn() {
        assertEquals(DebianImageCache.key(LAB), DebianImageCache.key(LAB));
        assertTrue(DebianImageCache.key(LAB).startsWith("bookworm-"));
        GuestImage newKernel = new GuestImage(LAB.kernel(), Path.of("/cache/images/k-2/initrd.img"), "6.1.0-58-amd64");
        assertNotEquals(DebianImageCache.key(LAB), DebianImageCache.key(newKernel));
    }

    @Test
    void initMountsTheRootTagAndHandsOverToSystemd() {
        String init = DebianScripts.init();
        assertTrue(init.contains(" " + DebianScripts.ROOT_TAG + " /mnt"), init);
        assertTrue(init.contains("mount --move /dev /mnt/dev"), init);
        assertTrue(init.strip().endsWith("exec switch_root /mnt /lib/systemd/systemd"), init);
    }

    @Test
    void theRunnerUnitIsEnabledByTheHooks() {
        String hooks = String.join("\n", DebianScripts.customizeHooks("/w/files"));
        assertTrue(hooks.contains("multi-user.target.wants/" + DebianScripts.RUNNER_UNIT), hooks);
        assertTrue(DebianScripts.runnerUnit().contains("WantedBy=multi-user.target"));
    }
}
