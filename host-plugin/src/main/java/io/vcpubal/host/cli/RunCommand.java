package io.vcpubal.host.cli;

import io.vcpubal.host.backend.Backends;
import io.vcpubal.host.backend.HypervisorBackend;
import io.vcpubal.host.backend.libvirt.LibvirtBackend;
import io.vcpubal.host.cgroup.VmCgroups;
import io.vcpubal.host.daemon.CpuWeights;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.control.ControlServer;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import io.vcpubal.host.metrics.MetricsServer;
import java.net.InetSocketAddress;
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
            description = "A VM: name=NAME,weight=W,qmp=PATH[,agent=PATH][,max-vcpus=N][,min-vcpus=N]"
                    + "[,balloon=hotplug|fence|auto]. Repeatable; adds to the config file's vm lines. qmp is QEMU's"
                    + " -qmp unix socket, agent the host side of the VM's io.vcpubal.agent.0 virtio-serial port;"
                    + " balloon: how the guest takes vCPUs out of use (default hotplug; fence keeps them online but"
                    + " idle, fast both ways; auto fences while demand lends or borrows and hotplugs at the VM's entitlement"
                    + " or once a shrink has held 60 s).")
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
            config = readConfig();
            topology = new SysfsTopologyDiscovery(sysRoot).discover();
        } catch (IllegalArgumentException e) {
            System.err.println("vcpubal-host run: " + e.getMessage());
            return 2;
        }
        HypervisorBackend backend;
        CpuWeights weights;
        try {
            backend = Backends.create(config, Duration.ofSeconds(2));
            // libvirt weighs its own domain cgroups (cpu_shares); moving its threads into ours would fight it
            weights = backend instanceof LibvirtBackend lv ? lv.cpuWeights()
                    : CpuWeights.of(VmCgroups.open(Path.of("/")));
        } catch (IllegalArgumentException e) {
            System.err.println("vcpubal-host run: " + e.getMessage());
            return 2;
        }
        return serve(config, topology, backend, weights, () -> readConfig().vms());
    }

    /** Reads the VMs of the config again (SIGHUP). */
    @FunctionalInterface
    public interface VmReader {
        List<VmConfig> read() throws Exception;
    }

    /**
     * The daemon with its control socket and metrics endpoint, until SIGTERM/Ctrl-C; {@code run} with what it
     * found, and the fleet simulator with its synthetic topology.
     *
     * @return the exit code: 0 after a clean stop, 1 when a socket cannot be served, 2 for a bad config
     */
    public static int serve(HostConfig config, HostTopology topology, HypervisorBackend backend, CpuWeights weights,
                            VmReader reread) throws InterruptedException {
        HostDaemon daemon;
        try {
            daemon = new HostDaemon(config, topology, backend, weights, Duration.ofSeconds(3));
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
        MetricsServer metrics = null;
        if (config.metricsListen() != null) {
            InetSocketAddress at = MetricsServer.parseListen(config.metricsListen());
            try {
                metrics = MetricsServer.start(at, daemon::status, config.backend());
            } catch (java.io.IOException e) {
                System.err.println("vcpubal-host run: metrics-listen " + config.metricsListen() + ": " + e.getMessage());
                server.close();
                daemon.close();
                return 1;
            }
            daemon.reportTo(metrics.events());
            org.slf4j.LoggerFactory.getLogger(RunCommand.class).info("Prometheus metrics at http://{}:{}/metrics",
                    config.metricsListen().substring(0, config.metricsListen().lastIndexOf(':')), metrics.port());
        }
        daemon.start();
        reloadOnSighup(daemon, reread);
        CountDownLatch stopped = new CountDownLatch(1);
        MetricsServer endpoint = metrics;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            daemon.close();
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }, "vcpubal-host-shutdown"));
        stopped.await();
        return 0;
    }

    /** The config file (default one: missing is fine) plus the --vm options, with --control applied. */
    private HostConfig readConfig() throws java.io.IOException {
        Path file = configFile != null ? configFile : HostConfig.DEFAULT_CONFIG;
        if (configFile != null && !Files.exists(configFile)) {
            throw new IllegalArgumentException("config file " + configFile + " does not exist");
        }
        HostConfig config = Files.exists(file) ? HostConfig.read(file) : HostConfig.defaults();
        List<VmConfig> vms = new ArrayList<>(config.vms());
        for (String s : vmSpecs) {
            vms.add(VmConfig.parse(s));
        }
        config = config.withVms(vms);
        return control != null ? config.withControlSocket(control) : config;
    }

    /**
     * SIGHUP re-reads the VMs of the config file (and the same --vm options); other settings need a restart.
     * A config that does not parse changes nothing and is logged.
     */
    private static void reloadOnSighup(HostDaemon daemon, VmReader reread) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunCommand.class);
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> new Thread(() -> {
            try {
                daemon.reload(reread.read());
            } catch (Exception e) {
                log.error("SIGHUP: config not applied: {}", e.getMessage());
            }
        }, "sighup-reload").start());
    }
}
