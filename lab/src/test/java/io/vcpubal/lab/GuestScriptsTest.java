package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuestScriptsTest {
    private static final String INIT = GuestScripts.init(List.of("virtio_ring.ko", "virtio.ko", "9pnet.ko", "9p.ko"));

    private static int indexOf(String text, String part) {
        int i = text.indexOf(part);
        assertTrue(i >= 0, "missing '" + part + "' in:\n" + text);
        return i;
    }

    @Test
    void initIsABusyboxScript() {
        assertTrue(INIT.startsWith("#!/bin/busybox sh\n"));
    }

    @Test
    void initLoadsModulesInTheGivenOrderBeforeMounting9p() {
        int modules = indexOf(INIT, "for m in virtio_ring.ko virtio.ko 9pnet.ko 9p.ko; do");
        assertTrue(modules > indexOf(INIT, "mount -t sysfs"));
        assertTrue(modules < indexOf(INIT, "hostroot /mnt"));
    }

    @Test
    void initMountsTheHostRootReadOnlyAndTheShareWritable() {
        String hostRoot = INIT.lines().filter(l -> l.contains(" hostroot /mnt")).findFirst().orElseThrow();
        assertTrue(hostRoot.contains("trans=virtio") && hostRoot.contains(",ro"), hostRoot);
        String share = INIT.lines().filter(l -> l.contains(" labshare /mnt/run/lab")).findFirst().orElseThrow();
        assertTrue(share.contains("trans=virtio") && !share.contains(",ro"), share);
    }

    @Test
    void initPreparesTheChrootBeforeEnteringIt() {
        int chroot = indexOf(INIT, "exec chroot /mnt /run/lab-runner/busybox sh /run/lab-runner/runner.sh");
        for (String step : List.of("mount -o bind /$d /mnt/$d", "tmpfs /mnt/tmp", "tmpfs /mnt/run",
                "labshare /mnt/run/lab", "cp /bin/busybox /lab/runner.sh /lab/job.sh /mnt/run/lab-runner/")) {
            assertTrue(indexOf(INIT, step) < chroot, step + " must come before the chroot");
        }
        // the share is mounted on the tmpfs /run, so after it
        assertTrue(indexOf(INIT, "tmpfs /mnt/run") < indexOf(INIT, "labshare /mnt/run/lab"));
    }

    @Test
    void everyInitStepFailsLoudly() {
        for (String line : INIT.lines().toList()) {
            if (line.startsWith("mount ") && !line.contains("devpts") && !line.contains("/dev/shm")) {
                assertTrue(line.contains("|| fail"), "unchecked step: " + line);
            }
        }
    }

    @Test
    void initRejectsModuleNamesThatWouldBreakTheScript() {
        assertThrows(IllegalArgumentException.class, () -> GuestScripts.init(List.of("a.ko; reboot")));
        assertThrows(IllegalArgumentException.class, () -> GuestScripts.init(List.of("kernel/fs/9p.ko")));
        assertThrows(IllegalArgumentException.class, () -> GuestScripts.init(List.of("9p.ko.xz")));
    }

    @Test
    void runnerOpensTheDoorbellSignalsReadyThenWaitsForCommands() {
        String runner = GuestScripts.runner();
        int ready = indexOf(runner, "$S/ready.tmp && $B mv $S/ready.tmp $S/ready");
        assertTrue(indexOf(runner, "= io.vcpubal.lab.0 ]") < ready, "doorbell found by its port name first");
        assertTrue(ready < indexOf(runner, "while :; do"));
        // doorbell first, the timer FIFO when the doorbell reports EOF (host not connected)
        assertTrue(runner.contains("read -t 5 _ <&4 || read -t 0.2 _ <&3"), runner);
        assertTrue(indexOf(runner, "jobs > /dev/null") > indexOf(runner, "<&3"), "reaps in the loop");
        // a command is moved away before it starts, so it runs once
        assertTrue(indexOf(runner, "$B mv \"$f\" $S/run/$n.sh || continue") < indexOf(runner, "setsid"));
        // waiting must not fork: an idle guest would otherwise burn host CPU under TCG
        assertFalse(runner.contains("sleep"), runner);
    }

    @Test
    void jobPublishesTheExitCodeLastAndAtomically() {
        String job = GuestScripts.job();
        int run = indexOf(job, "/bin/sh /run/lab/run/$n.sh > /run/lab/out/$n.out 2> /run/lab/out/$n.err");
        int rcTmp = indexOf(job, "echo $? > /run/lab/out/$n.rc.tmp");
        int rename = indexOf(job, "mv /run/lab/out/$n.rc.tmp /run/lab/out/$n.rc");
        assertTrue(run < rcTmp && rcTmp < rename);
        assertTrue(job.strip().endsWith("/run/lab/out/$n.rc"));
    }

    @Test
    void fingerprintIsStable() {
        assertEquals(GuestScripts.fingerprint(), GuestScripts.fingerprint());
        assertEquals(12, GuestScripts.fingerprint().length());
        assertNotEquals(GuestScripts.fingerprint(), "000000000000");
    }
}
