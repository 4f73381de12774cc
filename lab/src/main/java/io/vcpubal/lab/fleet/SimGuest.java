package io.vcpubal.lab.fleet;

import io.vcpubal.guest.Agent;
import io.vcpubal.guest.AgentConfig;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One simulated guest: the project's own {@link Agent}, unchanged, on a guest root of its own (a sysfs CPU tree
 * with writable {@code online} files, so a balloon really writes them, and the /proc files its samplers read),
 * linked to the host through its {@link Chardev}'s guest end.
 */
public final class SimGuest implements AutoCloseable {
    private final CpuSysfs sysfs;
    private final Agent agent;

    private SimGuest(Path root, Agent agent) {
        this.sysfs = new CpuSysfs(root);
        this.agent = agent;
    }

    public static SimGuest start(Path root, String name, int vcpus, int chardevPort) throws IOException {
        writeRoot(root, name, vcpus);
        AgentConfig c = AgentConfig.defaults();
        AgentConfig config = new AgentConfig(c.portName(), null, "127.0.0.1:" + chardevPort, c.reportPeriodMs(),
                c.processPeriodMs(), c.topProcesses(), c.floor(), c.protectedCpus(), root.resolve("notify.sock"),
                null, false, root);
        Agent agent = new Agent(config);
        agent.start();
        return new SimGuest(root, agent);
    }

    /** The guest's online CPUs as its sysfs files say (what the balloon wrote). */
    public CpuSet online() {
        return sysfs.onlineNow();
    }

    /** A guest tree shaped like a small x86 guest's: cpu0 without an online file, the rest online. */
    static void writeRoot(Path root, String name, int vcpus) throws IOException {
        Path cpu = Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        String all = CpuSet.range(0, vcpus - 1) + "\n";
        for (String list : new String[] {"possible", "present", "online"}) {
            Files.writeString(cpu.resolve(list), all);
        }
        StringBuilder stat = new StringBuilder("cpu  " + 100 * vcpus + " 0 0 " + 1000 * vcpus + " 0 0 0 0 0 0\n");
        for (int i = 0; i < vcpus; i++) {
            Path dir = Files.createDirectories(cpu.resolve("cpu" + i));
            if (i > 0) {
                Files.writeString(dir.resolve("online"), "1\n");
            }
            stat.append("cpu").append(i).append(" 100 0 0 1000 0 0 0 0 0 0\n");
        }
        stat.append("ctxt 1000\nprocs_running 1\nprocs_blocked 0\n");
        Path proc = Files.createDirectories(root.resolve("proc"));
        Files.writeString(proc.resolve("stat"), stat);
        Files.createDirectories(proc.resolve("pressure"));
        Files.writeString(proc.resolve("pressure/cpu"), "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        Path kernel = Files.createDirectories(proc.resolve("sys/kernel/random"));
        Files.writeString(kernel.getParent().resolve("osrelease"), "6.1.0-fleet\n");
        Files.writeString(kernel.getParent().resolve("hostname"), name + "\n");
        Files.writeString(kernel.resolve("boot_id"), UUID.randomUUID() + "\n");
    }

    @Override
    public void close() {
        agent.close();
    }
}
