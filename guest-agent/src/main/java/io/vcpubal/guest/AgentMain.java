package io.vcpubal.guest;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.ProtocolVersion;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vcpubal-agent}: parses the config and the command line, then runs {@link Agent} until SIGTERM. */
@Command(name = "vcpubal-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "Keeps the guest's vCPUs online or offline as the vcpubal host asks, reports CPU facts to"
                + " the host over a virtio-serial port and tells local applications when the CPU count changes."
                + " Every CPU is brought back online when the host stops renewing its lease or the agent stops.",
        sortOptions = false)
public final class AgentMain implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file (default ${DEFAULT-VALUE}; missing is fine unless given).",
            defaultValue = AgentConfig.DEFAULT_FILE)
    Path configFile;

    @Option(names = "--port-name", paramLabel = "NAME",
            description = "virtio-serial port name (default io.vcpubal.agent.0), found via /dev/virtio-ports"
                    + " or /sys/class/virtio-ports.")
    String portName;

    @Option(names = "--device", paramLabel = "PATH", description = "Character device of the port, instead of --port-name.")
    Path device;

    @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "Connect to a host over TCP instead (development).")
    String tcp;

    @Option(names = "--report-period-ms", paramLabel = "MS", description = "Facts period, 100..60000 (default 1000).")
    Integer periodMs;

    @Option(names = "--process-period-ms", paramLabel = "MS",
            description = "How often the process list is refreshed, report period..600000 (default 5000).")
    Integer processPeriodMs;

    @Option(names = "--top-processes", paramLabel = "N", description = "Processes per report, 0..64 (default 16).")
    Integer topProcesses;

    @Option(names = "--floor", paramLabel = "N", description = "Never keep fewer CPUs online (default 1).")
    Integer floor;

    @Option(names = "--protected-cpus", paramLabel = "CPULIST", description = "CPUs never taken offline, e.g. 1,3-4.")
    String protectedCpus;

    @Option(names = "--notify-socket", paramLabel = "PATH",
            description = "Unix socket for applications (default /run/vcpubal/notify.sock).")
    Path notifySocket;

    @Option(names = "--notify-group", paramLabel = "GROUP", description = "Group owning the notify socket (mode 0660).")
    String notifyGroup;

    @Option(names = "--fence", paramLabel = "on|off",
            description = "Offer fence mode (cgroup v2 cpuset; guests without systemd) besides hotplug (default on).")
    String fence;

    @Option(names = "--classes", paramLabel = "on|off",
            description = "Offer process classes to the host: cgroup v2 groups of the agent's, or under systemd the"
                    + " units' CPUWeight=/CPUQuota= (default on).")
    String classes;

    @Option(names = {"-v", "--verbose"},
            description = "Log at debug level too (e.g. how long each fence's interrupt steering took).")
    boolean verbose;

    @Option(names = "--root", paramLabel = "DIR", hidden = true, description = "Root of /proc and /sys (tests).")
    Path root;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (verbose) {
            // before the first logger exists: slf4j-simple reads its level once
            System.setProperty("org.slf4j.simpleLogger.log.io.vcpubal", "debug");
        }
        AgentConfig f = AgentConfig.load(configFile, !configFile.toString().equals(AgentConfig.DEFAULT_FILE));
        AgentConfig c = new AgentConfig(
                portName != null ? portName : f.portName(),
                device != null ? device : f.device(),
                tcp != null ? tcp : f.tcp(),
                periodMs != null ? periodMs : f.reportPeriodMs(),
                processPeriodMs != null ? processPeriodMs : Math.max(f.processPeriodMs(),
                        periodMs != null ? periodMs : f.reportPeriodMs()),
                topProcesses != null ? topProcesses : f.topProcesses(),
                floor != null ? floor : f.floor(),
                protectedCpus != null ? CpuSet.parse(protectedCpus) : f.protectedCpus(),
                notifySocket != null ? notifySocket : f.notifySocket(),
                notifyGroup != null ? notifyGroup : f.notifyGroup(),
                fence != null ? AgentConfig.onOff("--fence", fence) : f.fence(),
                classes != null ? AgentConfig.onOff("--classes", classes) : f.classes(),
                root != null ? root : f.root());
        Agent agent = new Agent(c);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "vcpubal-shutdown"));
        agent.start();
        stopped.await();
        return 0;
    }

    /** Version line for --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vcpubal-agent " + ProtocolVersion.softwareVersion() + " (protocol "
                    + ProtocolVersion.MAJOR + "." + ProtocolVersion.MINOR + ")"};
        }
    }
}
