package io.vcpubal.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheDocumentedKeysOverTheDefaults() throws IOException {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, "# vcpubal agent\nreport-period-ms = 500\nfloor = 2\nprotected-cpus = 2-3\n"
                + "notify-group = vcpubal\n");
        AgentConfig c = AgentConfig.load(f, true);
        assertEquals(500, c.reportPeriodMs());
        assertEquals(5000, c.processPeriodMs(), "default kept");
        assertEquals(2, c.floor());
        assertEquals(CpuSet.parse("2-3"), c.protectedCpus());
        assertEquals("vcpubal", c.notifyGroup());
        assertEquals("io.vcpubal.agent.0", c.portName());
    }

    @Test
    void classesAreOnByDefaultAndCanBeTurnedOff() throws IOException {
        assertTrue(AgentConfig.defaults().classes());
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, "classes = off\n");
        AgentConfig c = AgentConfig.load(f, true);
        assertEquals(false, c.classes());
        assertTrue(c.fence(), "fence is a setting of its own");
        Files.writeString(f, "classes = maybe\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AgentConfig.load(f, true));
        assertTrue(e.getMessage().contains("classes must be on or off"), e.getMessage());
    }

    @Test
    void aMissingDefaultFileIsFineAMissingNamedOneIsNot() throws IOException {
        assertEquals(AgentConfig.defaults(), AgentConfig.load(dir.resolve("absent"), false));
        IOException e = assertThrows(IOException.class, () -> AgentConfig.load(dir.resolve("absent"), true));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "colour = red              | unknown key 'colour'",
            "report-period-ms = 10     | report-period-ms must be 100..60000",
            "report-period-ms = soon   | For input string",
            "process-period-ms = 500   | process-period-ms must be report-period-ms (1000)..600000",
            "top-processes = 65        | top-processes must be 0..64",
            "floor = 0                 | floor must be >= 1",
            "protected-cpus = 3-1      | invalid cpulist"})
    void badSettingsNameTheFileAndTheKey(String line, String expected) throws IOException {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, line + "\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AgentConfig.load(f, true));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
