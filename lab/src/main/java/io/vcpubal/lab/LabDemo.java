package io.vcpubal.lab;

import io.vcpubal.protocol.CpuSet;

import com.google.gson.Gson;
import io.vcpubal.host.backend.libvirt.LibvirtBackend;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.cli.StatusCommand;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import io.vcpubal.lab.libvirt.LabDomain;
import io.vcpubal.lab.libvirt.LibvirtHost;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job's demonstration: real guests with the agent inside, the host plugin planning by weight,
 * ballooning the guests and pinning their vCPU threads, shown step by step; then everything is restored
 * and shut down.
 */
final class LabDemo {
    private final int guests;
    private final int vcpus;
    private final List<Integer> weights;
    private final String backend;

    LabDemo(int guests, int vcpus, List<Integer> weights, String backend) {
        if (weights.size() != guests) {
            throw new IllegalArgumentException("--weights has " + weights.size() + " values for " + guests + " guests");
        }
        if (!List.of("qmp", "libvirt").contains(backend)) {
            throw new IllegalArgumentException("--backend must be qmp or libvirt, got '" + backend + "'");
        }
        this.guests = guests;
        this.vcpus = vcpus;
        this.weights = weights;
        this.backend = backend;
    }

    int run(GuestImage image) throws Exception {
        return backend.equals("libvirt") ? runLibvirt(image) : runQmp(image);
    }

    private int runQmp(GuestImage image) throws Exception {
        Lab.Builder builder = Lab.builder().image(image);
        for (int i = 0; i < guests; i++) {
            builder.guest(GuestSpec.of("vm" + (i + 1), vcpus));
        }
        HostTopology topology = new SysfsTopologyDiscovery(Path.of("/")).discover();
        System.out.printf("lab: host has %d CPUs (%s); booting %d guests with %d vCPUs each (TCG)%n",
                topology.numCpus(), topology.cpus(), guests, vcpus);
        try (Lab lab = builder.start()) {
            List<VmConfig> vms = new ArrayList<>();
            for (int i = 0; i < guests; i++) {
                Guest g = lab.guests().get(i);
                GuestAgent.start(g);
                vms.add(new VmConfig(g.name(), weights.get(i), g.qmpSocket(), g.agentSocket(), 0, 0));
                System.out.printf("lab: %s up in %.1f s, online vCPUs %s; agent starting%n", g.name(),
                        g.bootToReady().toMillis() / 1e3, online(g));
            }
            HostConfig config = HostConfig.defaults().withControlSocket(lab.runDir().resolve("host.sock")).withVms(vms);
            try (HostDaemon daemon = new HostDaemon(config, topology, new QmpBackend(Duration.ofSeconds(5)))) {
                show(daemon, lab.guests());
            }
            for (Guest g : lab.guests()) {
                System.out.printf("lab: %s's kernel says online %s%n", g.name(), online(g));
            }
        }
        System.out.println("lab: all guests shut down");
        return 0;
    }

    /**
     * The same with libvirt: TCG domains defined from XML with the weight in vcpubal's metadata, and a daemon
     * given no VM at all ({@code backend = libvirt}); what libvirt says ({@code virsh vcpupin}, emulatorpin,
     * schedinfo) is shown beside the status, before, during and after.
     */
    private int runLibvirt(GuestImage image) throws Exception {
        HostTopology topology = new SysfsTopologyDiscovery(Path.of("/")).discover();
        Path dir = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "vcpubal-demo-lv-");
        List<LabDomain> domains = new ArrayList<>();
        try (LibvirtHost libvirt = LibvirtHost.start()) {
            try {
                System.out.printf("lab: host has %d CPUs (%s); libvirt at %s; starting %d TCG domains with %d vCPUs each%n",
                        topology.numCpus(), topology.cpus(), LibvirtHost.URI, guests, vcpus);
                List<Guest> started = new ArrayList<>();
                for (int i = 0; i < guests; i++) {
                    var d = LabDomain.define(GuestSpec.of("demo-vm" + (i + 1), vcpus),
                            new LabDomain.Weight.Metadata(weights.get(i)), image,
                            dir.resolve("demo-vm" + (i + 1)));
                    domains.add(d);
                    started.add(d.start());
                }
                for (Guest g : started) {
                    g.awaitReady(LabDomain.READY_TIMEOUT);
                    GuestAgent.start(g);
                    System.out.printf("lab: domain %s up, online vCPUs %s; agent starting%n", g.name(), online(g));
                }
                showLibvirt(started, "before vcpubal");
                HostConfig config = HostConfig.defaults().withControlSocket(dir.resolve("host.sock")).withBackend("libvirt");
                var backend = new LibvirtBackend(config.libvirtUri(), false);
                try (HostDaemon daemon = new HostDaemon(config, topology, backend, backend.cpuWeights(), Duration.ofSeconds(3))) {
                    System.out.println("lab: the host plugin runs with backend = libvirt and no VM configured");
                    show(daemon, started);
                    showLibvirt(started, "with vcpubal");
                    System.out.println("lab: stopping the host plugin (it puts back what libvirt had)");
                }
                showLibvirt(started, "after vcpubal");
                for (Guest g : started) {
                    System.out.printf("lab: %s's kernel says online %s%n", g.name(), online(g));
                }
            } finally {
                // before libvirtd stops (closing LibvirtHost): its QEMUs would outlive it
                domains.forEach(LabDomain::remove);
            }
        }
        FileTrees.deleteRecursively(dir);
        System.out.println("lab: all domains destroyed and undefined");
        return 0;
    }

    private static void showLibvirt(List<Guest> guests, String when) {
        for (Guest g : guests) {
            System.out.printf("lab: %s, virsh says for %s: vcpupin %s, emulatorpin %s, cpu_shares %d%n", when, g.name(),
                    LibvirtHost.vcpupin(g.name()),
                    LibvirtHost.emulatorpin(g.name()),
                    LibvirtHost.cpuShares(g.name()));
        }
    }

    /** Starts the daemon, waits for the handshakes and the plan, and shows them. */
    private static void show(HostDaemon daemon, List<Guest> guests) throws Exception {
        daemon.start();
        awaitAgents(daemon, guests.size());
        daemon.guests().forEach((name, info) -> System.out.printf(
                "lab: handshake with %s: kernel %s, online %s, offlinable %s, boot id %s%n",
                name, info.getKernelRelease(), info.getOnlineCpus(), info.getOfflinableCpus(), info.getBootId()));
        awaitPlanApplied(daemon);
        System.out.println("lab: the host plugin planned by weight, ballooned the guests and pinned each vCPU:");
        printStatus(daemon);
        for (Guest g : guests) {
            System.out.printf("lab: %s's kernel says online %s%n", g.name(), online(g));
        }
    }

    private static void awaitAgents(HostDaemon daemon, int vms) throws Exception {
        // a guest whose vCPUs were just stacked on one host CPU crawls under TCG until its agent answers
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (daemon.status().size() < vms || daemon.status().stream().anyMatch(s -> !s.agent().equals("connected"))) {
            if (System.nanoTime() > deadline) {
                throw new LabException("agents did not answer within 300 s");
            }
            Thread.sleep(250);
        }
    }

    private static void awaitPlanApplied(HostDaemon daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (true) {
            List<VmStatus> s = daemon.status();
            boolean done = true;
            for (VmStatus v : s) {
                done &= v.targetOnline() > 0 && v.guestOnline() != null
                        && io.vcpubal.protocol.CpuSet.parse(v.guestOnline()).size() == v.targetOnline();
            }
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("the plan was not applied within 240 s: " + s);
            }
            Thread.sleep(250);
        }
    }

    private static void printStatus(HostDaemon daemon) throws Exception {
        StatusCommand.printTable(new Gson().toJsonTree(daemon.status()).getAsJsonArray(), System.out,
                System.currentTimeMillis());
    }

    private static String online(Guest g) throws IOException {
        return g.exec("cat /sys/devices/system/cpu/online", Duration.ofSeconds(30)).requireOk().stdout().trim();
    }
}
