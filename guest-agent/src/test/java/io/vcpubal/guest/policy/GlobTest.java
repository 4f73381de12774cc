package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {
    record Case(String glob, String text, boolean matches) {}

    static Stream<Case> cases() {
        return Stream.of(
                new Case("", "", true),
                new Case("", "a", false),
                new Case("*", "", true),
                new Case("*", "anything at all", true),
                new Case("nginx", "nginx", true),
                new Case("nginx", "nginx2", false),
                new Case("nginx*", "nginx: worker", true),
                new Case("*worker", "nginx: worker", true),
                new Case("*worker", "nginx: workers", false),
                new Case("?ginx", "nginx", true),
                new Case("?ginx", "ginx", false),
                new Case("a*b*c", "abc", true),
                new Case("a*b*c", "aXbYc", true),
                new Case("a*b*c", "acb", false),
                new Case("a*bc*bc", "abcbc", true),
                new Case("a*bc*bc", "abc", false),
                new Case("*a?b*", "xxaZbyy", true),
                new Case("**", "x", true),
                new Case("ab*ba", "aba", false),
                new Case("java * -jar *.jar", "java -Xmx1g -jar app.jar", true),
                new Case("java * -jar *.jar", "java -jar app.jar", false),
                new Case("[abc]", "a", false),
                new Case("[abc]", "[abc]", true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matches(Case c) {
        assertEquals(c.matches(), Glob.matches(c.glob(), c.text()), c.glob() + " on '" + c.text() + "'");
    }

    @Test
    void aPathologicalGlobStaysFast() {
        String text = "a".repeat(4096);
        String glob = "*a".repeat(30) + "*b";
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertFalse(Glob.matches(glob, text)));
    }
}
