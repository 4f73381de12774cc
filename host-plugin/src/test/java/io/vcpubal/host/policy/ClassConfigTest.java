package io.vcpubal.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClassConfigTest {
    @Test
    void aFullSpecParses() {
        ClassConfig c = ClassConfig.parse("name=batch, vm=db-*, comm=batch*, cmdline=*--nightly*, cgroup=/jobs, unit=batch.service,"
                + " importance=low, shares=100");
        assertEquals(new ClassConfig("batch", "db-*", "batch*", "*--nightly*", "/jobs", "batch.service", Importance.LOW, 100), c);
    }

    @Test
    void defaultsAreEveryVmNormalImportanceAndDefaultShares() {
        ClassConfig c = ClassConfig.parse("name=web,comm=nginx");
        assertEquals("*", c.vmGlob());
        assertEquals(Importance.NORMAL, c.importance());
        assertEquals(ClassConfig.DEFAULT_SHARES, c.shares());
        assertTrue(c.appliesTo("anything"));
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("comm=x", "class name 'null'"),
                Arguments.of("name=Web,comm=x", "class name 'Web'"),
                Arguments.of("name=web", "has no rule"),
                Arguments.of("name=web,comm=x,importance=urgent", "importance must be high, normal or low"),
                Arguments.of("name=web,comm=x,shares=0", "shares must be 1..65535"),
                Arguments.of("name=web,comm=x,shares=lots", "is not a whole number"),
                Arguments.of("name=web,comm=x,colour=red", "unknown key 'colour'"),
                Arguments.of("name=web,comm=x,comm=y", "comm given twice"),
                Arguments.of("name=web,cgroup=system.slice", "absolute cgroup path"),
                Arguments.of("name=web,comm=" + "x".repeat(65), "comm= longer than 64"),
                Arguments.of("name=web,novalue", "expected key=value"));
    }

    @ParameterizedTest
    @MethodSource("badSpecs")
    void badSpecsSayWhatIsWrong(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassConfig.parse(spec));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains(spec), "names the spec: " + e.getMessage());
    }

    static Stream<Arguments> globs() {
        return Stream.of(
                Arguments.of("*", "", true),
                Arguments.of("*", "web-1", true),
                Arguments.of("web-?", "web-1", true),
                Arguments.of("web-?", "web-12", false),
                Arguments.of("web*", "web", true),
                Arguments.of("*-db", "prod-db", true),
                Arguments.of("*-db", "prod-db2", false),
                Arguments.of("a*b*c", "axxbyyc", true),
                Arguments.of("a*b*c", "axxbyy", false),
                Arguments.of("exact", "exact", true),
                Arguments.of("exact", "exac", false),
                // linear time: a pattern that makes naive backtracking explode
                Arguments.of("*a*a*a*a*a*a*a*a*b", "a".repeat(5000), false));
    }

    @ParameterizedTest
    @MethodSource("globs")
    void globsMatchLikeAShell(String glob, String s, boolean matches) {
        assertEquals(matches, Glob.matches(glob, s));
    }

    @Test
    void theVmGlobChoosesVms() {
        ClassConfig c = ClassConfig.parse("name=batch,vm=db-*,comm=x");
        assertTrue(c.appliesTo("db-1"));
        assertFalse(c.appliesTo("web-1"));
    }
}
