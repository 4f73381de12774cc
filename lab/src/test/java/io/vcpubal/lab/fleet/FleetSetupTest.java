package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FleetSetupTest {
    @Test
    void theDaemonRunsWithThePackagedLaunchersJvmFlags() throws Exception {
        String launcher = Files.readString(Path.of("../packaging/src/host/vcpubal-host"));
        Matcher m = Pattern.compile("\\$\\{VCPUBAL_HOST_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertTrue(m.find(), "the launcher's default flags");
        assertEquals(String.join(" ", Fleet.DAEMON_JVM_FLAGS), m.group(1).trim(),
                "the fleet measures the daemon as the package runs it");
    }

    @Test
    void syntheticTopologyIsTwoSocketsOfTwoThreadCores() {
        var t = FleetDaemonMain.syntheticTopology(256);
        assertEquals(256, t.numCpus());
        assertEquals(128, t.numCores());
        assertThrows(IllegalArgumentException.class, () -> FleetDaemonMain.syntheticTopology(10));
    }
}
