package io.vcpubal.lab;

import io.vcpubal.protocol.CpuSet;

import com.google.gson.Gson;
import io.vcpubal.host.backend.qmp.QmpBackend;
import io.vcpubal.host.cli.StatusCommand;
import io.vcpubal.host.config.HostConfig;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.daemon.HostDaemon;
import io.vcpubal.host.daemon.VmStatus;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
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

    LabDemo(int guests, int vcpus, List<Integer> weights) {
        if (weights.size() != guests) {
            throw new IllegalArgumentException("--weights has " + weights.size() + " values for " + guests + " guests");
        }
        this.guests = guests;
        this.vcpus = vcpus;
        this.weights = weights;
    }

    int run(GuestImage image) throws Exception {
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
                daemon.start();
                awaitAgents(daemon);
                daemon.guests().forEach((name, info) -> System.out.printf(
                        "lab: handshake with %s: kernel %s, online %s, offlinable %s, boot id %s%n",
                        name, info.getKernelRelease(), info.getOnlineCpus(), info.getOfflinableCpus(), info.getBootId()));
                awaitPlanApplied(daemon, lab);
                System.out.println("lab: the host plugin planned by weight, ballooned the guests and pinned each vCPU:");
                printStatus(daemon);
                for (Guest g : lab.guests()) {
                    System.out.printf("lab: %s's kernel says online %s%n", g.name(), online(g));
                }
                System.out.println("lab: stopping the host plugin (it gives every guest all its vCPUs back)");
            }
            for (Guest g : lab.guests()) {
                System.out.printf("lab: %s's kernel says online %s%n", g.name(), online(g));
            }
        }
        System.out.println("lab: all guests shut down");
        return 0;
    }

    private static void awaitAgents(HostDaemon daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (daemon.status().stream().anyMatch(s -> !s.agent().equals("connected"))) {
            if (System.nanoTime() > deadline) {
                throw new LabException("agents did not answer within 180 s");
            }
            Thread.sleep(250);
        }
    }

    private static void awaitPlanApplied(HostDaemon daemon, Lab lab) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
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
                throw new LabException("the plan was not applied within 120 s: " + s);
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
