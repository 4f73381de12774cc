package io.vcpubal.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Runs the freshly built vcpubal agent inside a lab guest, started by its own launcher (so the guest runs it
 * with the same JVM flags a packaged install would). Jars are copied into the guest's share because the
 * host root is mounted with caching and the checkout may sit under /tmp, which the guest does not see.
 */
public final class GuestAgent {
    /** Where {@code mvn package} puts the agent, relative to the project root (override: -Dvcpubal.agent.jar). */
    public static final Path JAR = Path.of(System.getProperty("vcpubal.agent.jar", "guest-agent/target/vcpubal-agent.jar"));

    private GuestAgent() {}

    /** The agent jar of this checkout, found from the project root or a module directory. */
    public static Path jar() {
        return locate(JAR, Path.of("..").resolve(JAR));
    }

    /** The agent's launcher script of this checkout. */
    public static Path launcher() {
        Path rel = Path.of("guest-agent/src/main/dist/vcpubal-agent");
        return locate(rel, Path.of("..").resolve(rel));
    }

    /** Copies the agent into {@code g}'s share and starts it there; returns its log file on the host. */
    public static Path start(Guest g, String... agentArgs) {
        try {
            Files.copy(jar(), g.shareDir().resolve("vcpubal-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(launcher(), g.shareDir().resolve("vcpubal-agent"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the agent into guest " + g.name() + ": " + e.getMessage(), e);
        }
        String java = Guest.javaCommand().split(" ")[0];
        return g.spawn("JAVA=" + java + " VCPUBAL_AGENT_JAR=" + Guest.GUEST_SHARE + "/vcpubal-agent.jar sh "
                + Guest.GUEST_SHARE + "/vcpubal-agent " + String.join(" ", agentArgs));
    }

    private static Path locate(Path... candidates) {
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new LabException(candidates[0] + " not found: build first with `mvn package` (./run-lab does)");
    }
}
