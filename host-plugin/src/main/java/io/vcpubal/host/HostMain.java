package io.vcpubal.host;

import io.vcpubal.host.cli.AddVmCommand;
import io.vcpubal.host.cli.NotifyCommand;
import io.vcpubal.host.cli.PlanCommand;
import io.vcpubal.host.cli.RemoveVmCommand;
import io.vcpubal.host.cli.RunCommand;
import io.vcpubal.host.cli.SetWeightCommand;
import io.vcpubal.host.cli.StatusCommand;
import io.vcpubal.host.cli.TopCommand;
import io.vcpubal.protocol.ProtocolVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vcpubal-host}: the host daemon and the commands that talk to it. */
@Command(name = "vcpubal-host", mixinStandardHelpOptions = true, versionProvider = HostMain.Version.class,
        description = "Gives each VM a share of the host's CPUs by weight, keeps that many vCPUs online in the"
                + " guest (through the vcpubal agent) and pins each online vCPU to its own host CPU.",
        subcommands = {RunCommand.class, StatusCommand.class, TopCommand.class, SetWeightCommand.class,
                AddVmCommand.class, RemoveVmCommand.class, NotifyCommand.class, PlanCommand.class,
                CommandLine.HelpCommand.class})
public final class HostMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The parser with every subcommand; errors in arguments print usage and exit 2. */
    public static CommandLine commandLine() {
        return new CommandLine(new HostMain());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Version line for --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vcpubal-host " + ProtocolVersion.softwareVersion() + " (protocol "
                    + ProtocolVersion.MAJOR + "." + ProtocolVersion.MINOR + ")"};
        }
    }
}
