package io.vcpubal.guest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClassRuleTest {
    static final ProcessIdentity WEB = new ProcessIdentity(300, 1, 900, "nginx", "nginx: worker process",
            "/system.slice/web.service", false);

    record Case(String name, ClassRule rule, String origin, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String o = WEB.cgroup();
        return Stream.of(
                new Case("comm glob", new ClassRule("ng*", "", "", ""), o, true),
                new Case("comm mismatch", new ClassRule("httpd", "", "", ""), o, false),
                new Case("cmdline glob", new ClassRule("", "*worker*", "", ""), o, true),
                new Case("cgroup prefix", new ClassRule("", "", "/system.slice", ""), o, true),
                new Case("cgroup prefix with slash", new ClassRule("", "", "/system.slice/", ""), o, true),
                new Case("cgroup exact", new ClassRule("", "", "/system.slice/web.service", ""), o, true),
                new Case("cgroup is component-wise", new ClassRule("", "", "/system.sl", ""), o, false),
                new Case("cgroup root matches all", new ClassRule("", "", "/", ""), o, true),
                new Case("unit", new ClassRule("", "", "", "web.service"), o, true),
                new Case("unit is the last component", new ClassRule("", "", "", "system.slice"), o, false),
                new Case("all fields must match", new ClassRule("nginx", "", "", "db.service"), o, false),
                new Case("all fields match", new ClassRule("nginx", "nginx:*", "/system.slice", "web.service"), o,
                        true),
                new Case("origin, not the class group", new ClassRule("", "", "/system.slice", ""),
                        "/vcpubal.class.web", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matches(Case c) {
        assertEquals(c.matches(), c.rule().matches(WEB, c.origin()));
    }
}
