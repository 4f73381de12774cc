package io.vcpubal.guest;

import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.transport.VirtioPortLocator;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's settings. File: {@value #DEFAULT_FILE}, {@code key = value} lines ({@code #} comments):
 *
 * <pre>
 * port-name = io.vcpubal.agent.0       # virtio-serial port to find under /dev/virtio-ports or /sys/class/virtio-ports
 * device =                             # explicit character device instead of port-name
 * report-period-ms = 1000              # facts period, 100..60000
 * process-period-ms = 5000             # how often the process list is refreshed, report period..600000
 * top-processes = 16                   # processes per report, 0..64
 * floor = 1                            # never fewer CPUs online than this
 * protected-cpus =                     # cpulist the agent never offlines
 * notify-socket = /run/vcpubal/notify.sock
 * notify-group =                       # group of the notify socket (mode 0660); empty = root's group
 * fence = on                           # offer fence mode (cgroup v2 cpuset) besides hotplug: on | off
 * classes = on                         # offer process classes (SetProcessClasses, cgroup v2 cpu): on | off
 * </pre>
 * Command-line options override the file.
 */
public record AgentConfig(String portName, Path device, String tcp, int reportPeriodMs, int processPeriodMs,
                          int topProcesses, int floor,
                          CpuSet protectedCpus, Path notifySocket, String notifyGroup, boolean fence, boolean classes,
                          Path root) {
    public static final String DEFAULT_FILE = "/etc/vcpubal/agent.conf";
    private static final Set<String> KEYS = Set.of("port-name", "device", "report-period-ms", "process-period-ms",
            "top-processes",
            "floor", "protected-cpus", "notify-socket", "notify-group", "fence", "classes");

    public AgentConfig {
        if (reportPeriodMs < Bounds.MIN_PERIOD_MS || reportPeriodMs > Bounds.MAX_PERIOD_MS) {
            throw new IllegalArgumentException("report-period-ms must be " + Bounds.MIN_PERIOD_MS + ".."
                    + Bounds.MAX_PERIOD_MS + ", got " + reportPeriodMs);
        }
        if (processPeriodMs < reportPeriodMs || processPeriodMs > 600_000) {
            throw new IllegalArgumentException("process-period-ms must be report-period-ms (" + reportPeriodMs
                    + ")..600000, got " + processPeriodMs);
        }
        if (topProcesses < 0 || topProcesses > Bounds.MAX_PROCESSES) {
            throw new IllegalArgumentException("top-processes must be 0.." + Bounds.MAX_PROCESSES + ", got " + topProcesses);
        }
        if (floor < 1) {
            throw new IllegalArgumentException("floor must be >= 1, got " + floor);
        }
        if (protectedCpus.contains(0)) {
            // Harmless, but cpu0 is never offlined anyway; keep the list meaningful.
            protectedCpus = protectedCpus.without(0);
        }
    }

    /**
     * The form from before process classes: they follow {@code fence}, so a caller that turned fencing off
     * for a fixture root (the lab's simulated guests) does not get a cgroup mounted there either.
     */
    public AgentConfig(String portName, Path device, String tcp, int reportPeriodMs, int processPeriodMs,
                       int topProcesses, int floor, CpuSet protectedCpus, Path notifySocket, String notifyGroup,
                       boolean fence, Path root) {
        this(portName, device, tcp, reportPeriodMs, processPeriodMs, topProcesses, floor, protectedCpus, notifySocket,
                notifyGroup, fence, fence, root);
    }

    public static AgentConfig defaults() {
        return new AgentConfig(VirtioPortLocator.DEFAULT_PORT_NAME, null, null, 1000, 5000, 16, 1, CpuSet.empty(),
                Path.of("/run/vcpubal/notify.sock"), null, true, true, Path.of("/"));
    }

    /** "on" or "off" (also true/false, yes/no); anything else names the key and the choices. */
    static boolean onOff(String key, String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(key + " must be on or off, got '" + value.strip() + "'");
        };
    }

    /** Reads {@code file} over the defaults; a missing default file is fine, a missing named file is not. */
    public static AgentConfig load(Path file, boolean mustExist) throws IOException {
        AgentConfig d = defaults();
        if (!Files.exists(file)) {
            if (mustExist) {
                throw new IOException("config file " + file + " does not exist");
            }
            return d;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        try {
            String device = p.getProperty("device", "").trim();
            String group = p.getProperty("notify-group", "").trim();
            return new AgentConfig(p.getProperty("port-name", d.portName()).trim(),
                    device.isEmpty() ? null : Path.of(device), null,
                    Integer.parseInt(p.getProperty("report-period-ms", "" + d.reportPeriodMs()).trim()),
                    Integer.parseInt(p.getProperty("process-period-ms", "" + d.processPeriodMs()).trim()),
                    Integer.parseInt(p.getProperty("top-processes", "" + d.topProcesses()).trim()),
                    Integer.parseInt(p.getProperty("floor", "" + d.floor()).trim()),
                    CpuSet.parse(p.getProperty("protected-cpus", "").trim()),
                    Path.of(p.getProperty("notify-socket", d.notifySocket().toString()).trim()),
                    group.isEmpty() ? null : group, onOff("fence", p.getProperty("fence", "on")),
                    onOff("classes", p.getProperty("classes", "on")), d.root());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }
}
