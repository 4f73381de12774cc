package io.vcpubal.host.cli;

import io.vcpubal.host.backend.Backends;
import io.vcpubal.host.cgroup.VmCgroups;
import io.vcpubal.host.daemon.CpuWeights;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.control.ControlServer;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vcpubal-host run}: the daemon. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the daemon: plan each VM's share of the host CPUs by weight, balloon the guests to that"
                + " many online vCPUs and pin each vCPU thread. Stops on SIGTERM/Ctrl-C, giving every guest back"
                + " all its vCPUs and unpinning them.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--vm", paramLabel = "SPEC",
            description = "A VM: name=NAME,weight=W,qmp=PATH[,agent=PATH][,max-vcpus=N][,min-vcpus=N]. Repeatable;"
                    + " adds to the config file's vm lines. qmp is QEMU's -qmp unix socket, agent the host side of"
                    + " the VM's io.vcpubal.agent.0 virtio-serial port.")
    List<String> vmSpecs = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file (default /etc/vcpubal/host.conf; missing is fine unless given).")
    Path configFile;

    @Option(names = "--control", paramLabel = "PATH", description = "Control socket (default /run/vcpubal/host.sock).")
    Path control;

    @Option(names = "--sys-root", paramLabel = "DIR", hidden = true, description = "Root of /sys (tests).")
    Path sysRoot = Path.of("/");

    @Override
    public Integer call() throws Exception {
        HostConfig config;
        HostTopology topology;
        try {
            Path file = configFile != null ? configFile : HostConfig.DEFAULT_CONFIG;
            if (configFile != null && !Files.exists(configFile)) {
                throw new IllegalArgumentException("config file " + configFile + " does not exist");
            }
            config = Files.exists(file) ? HostConfig.read(file) : HostConfig.defaults();
            List<VmConfig> vms = new ArrayList<>(config.vms());
            for (String s : vmSpecs) {
                vms.add(VmConfig.parse(s));
            }
            config = config.withVms(vms);
            if (control != null) {
                config = config.withControlSocket(control);
            }
            topology = new SysfsTopologyDiscovery(sysRoot).discover();
        } catch (IllegalArgumentException e) {
            System.err.println("vcpubal-host run: " + e.getMessage());
            return 2;
        }
        HostDaemon daemon;
        try {
            daemon = new HostDaemon(config, topology, Backends.create(config.backend(), Duration.ofSeconds(2)),
                    CpuWeights.of(VmCgroups.open(Path.of("/"))), Duration.ofSeconds(3));
        } catch (IllegalArgumentException e) {
            System.err.println("vcpubal-host run: " + e.getMessage());
            return 2;
        }
        // The control socket (and its lock) first: a second daemon stops here, before it touches any VM.
        ControlServer server;
        try {
            server = new ControlServer(config.controlSocket(), config.controlGroup(), daemon);
        } catch (java.io.IOException e) {
            System.err.println("vcpubal-host run: " + e.getMessage());
            daemon.close();
            return 1;
        }
        daemon.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            daemon.close();
            stopped.countDown();
        }, "vcpubal-host-shutdown"));
        stopped.await();
        return 0;
    }
}
