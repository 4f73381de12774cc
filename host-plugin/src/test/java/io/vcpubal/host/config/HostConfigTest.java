package io.vcpubal.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HostConfigTest {
    @Test
    void parsesTheDocumentedExample() {
        HostConfig c = HostConfig.parse(List.of(
                "# comment",
                "control = /tmp/h.sock",
                "reserved-cpus = 0   # keep cpu0 for the host",
                "lease-ms = 20000",
                "vm = name=web,weight=512,qmp=/run/web.qmp,agent=/run/web.agent",
                "vm = name=db,weight=256,qmp=/run/db.qmp,max-vcpus=8,min-vcpus=2",
                ""), "host.conf");
        assertEquals(Path.of("/tmp/h.sock"), c.controlSocket());
        assertEquals("0", c.reservedCpus());
        assertEquals(20_000, c.leaseMs());
        assertEquals(2, c.vms().size());
        VmConfig db = c.vms().get(1);
        assertEquals(new VmConfig("db", 256, Path.of("/run/db.qmp"), null, 8, 2), db);
        assertNull(db.agentSocket());
    }

    @Test
    void classLinesDeclareProcessClassesInOrder() {
        HostConfig c = HostConfig.parse(List.of(
                "class = name=web,vm=web*,comm=nginx,importance=high,shares=768",
                "class = name=batch,cmdline=*--nightly*,importance=low"), "host.conf");
        assertEquals(List.of("web", "batch"), c.classes().stream().map(io.vcpubal.host.policy.ClassConfig::name).toList());
        assertEquals(io.vcpubal.host.policy.Importance.LOW, c.classes().get(1).importance());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> HostConfig.parse(List.of(
                "class = name=web,comm=a", "class = name=web,comm=b"), "host.conf"));
        assertTrue(twice.getMessage().contains("class 'web' is declared twice"), twice.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> HostConfig.parse(List.of(
                "", "class = name=web"), "host.conf"));
        assertTrue(bad.getMessage().startsWith("host.conf:2: "), "names the line: " + bad.getMessage());
        assertTrue(HostConfig.defaults().classes().isEmpty(), "no classes unless the operator declares them");
    }

    @Test
    void libvirtNeedsNoVmLinesAndSaysWhichLibvirt() {
        HostConfig c = HostConfig.parse(List.of("backend = libvirt", "libvirt-uri = qemu+ssh://host/system",
                "manage-all = true"), "host.conf");
        assertEquals("libvirt", c.backend());
        assertEquals("qemu+ssh://host/system", c.libvirtUri());
        assertTrue(c.manageAll());
        HostConfig d = HostConfig.parse(List.of("backend = libvirt"), "host.conf");
        assertEquals(HostConfig.DEFAULT_LIBVIRT_URI, d.libvirtUri());
        assertEquals(false, d.manageAll());
    }

    @Test
    void demandAwarePlanningIsOnUnlessTurnedOff() {
        assertTrue(HostConfig.parse(List.of(), "host.conf").demandAware());
        assertEquals(false, HostConfig.parse(List.of("demand-aware = false"), "host.conf").demandAware());
    }

    @Test
    void libvirtRefusesVmLinesItWouldIgnore() {
        var e = assertThrows(IllegalArgumentException.class, () -> HostConfig.parse(List.of("backend = libvirt",
                "vm = name=a,weight=1,qmp=/q"), "host.conf"));
        assertTrue(e.getMessage().contains("backend = libvirt finds its VMs itself"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "nonsense                                    | host.conf:1: expected 'key = value'",
            "colour = blue                               | unknown key 'colour'",
            "lease-ms = soon                             | lease-ms 'soon' is not a whole number",
            "lease-ms = 10                               | lease-ms must be 1000..3600000",
            "vm = name=a,weight=0,qmp=/q                 | weight='0' must be a whole number from 1 to 65535",
            "vm = name=a,qmp=/q                          | missing weight=",
            "vm = name=a,weight=1                        | missing qmp=",
            "vm = name=a,weight=1,qmp=/q,agent=          | agent is empty",
            "backend = xen                               | backend must be one of [qmp, libvirt], got 'xen'",
            "manage-all = maybe                          | 'maybe' is not true or false",
            "demand-aware = sometimes                    | 'sometimes' is not true or false",
            "libvirt-uri =                               | libvirt-uri is empty",
            "vm = name=a,weight=1,qmp=/q,colour=red      | unknown key 'colour'",
            "vm = name=a,weight=1,qmp=/q,weight=2        | key 'weight' is given twice",
            "vm = name=../x,weight=1,qmp=/q              | name '../x' must be",
            "vm = name=a,weight=1,qmp=/q,min-vcpus=4,max-vcpus=2 | min-vcpus='4' must be a whole number from 0 to 2",
            "vm = name=a,weight=1,qmp=/q,balloon=fast   | balloon='fast' must be one of hotplug, fence, auto"})
    void badInputGetsAClearError(String line, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> HostConfig.parse(List.of(line), "host.conf"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void theBalloonModeIsHotplugUnlessTheSpecSaysOtherwise() {
        HostConfig c = HostConfig.parse(List.of("vm = name=a,weight=1,qmp=/q", "vm = name=b,weight=1,qmp=/q,balloon=auto",
                "vm = name=c,weight=1,qmp=/q,balloon=fence"), "host.conf");
        assertEquals(List.of(BalloonChoice.HOTPLUG, BalloonChoice.AUTO, BalloonChoice.FENCE),
                c.vms().stream().map(VmConfig::balloon).toList());
        assertEquals(BalloonChoice.AUTO, c.vms().get(1).withWeight(5).balloon(), "a weight change keeps it");
    }

    @Test
    void aVmDeclaredTwiceIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> HostConfig.parse(List.of(
                "vm = name=a,weight=1,qmp=/q", "vm = name=a,weight=2,qmp=/r"), "f"));
        assertTrue(e.getMessage().contains("declared twice"), e.getMessage());
    }
}
