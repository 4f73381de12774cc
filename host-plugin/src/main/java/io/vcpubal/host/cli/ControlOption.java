package io.vcpubal.host.cli;

import io.vcpubal.host.config.HostConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --control PATH} option shared by the commands that talk to the daemon. */
final class ControlOption {
    @Option(names = "--control", paramLabel = "PATH",
            description = "Control socket of the daemon (default /run/vcpubal/host.sock).")
    Path control = HostConfig.DEFAULT_CONTROL;
}
