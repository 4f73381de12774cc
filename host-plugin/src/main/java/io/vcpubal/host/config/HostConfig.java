package io.vcpubal.host.config;

import io.vcpubal.host.backend.Backends;
import io.vcpubal.host.metrics.MetricsServer;
import io.vcpubal.host.policy.ClassConfig;
import io.vcpubal.protocol.Bounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The host daemon's settings, from {@code /etc/vcpubal/host.conf} and the command line (which wins).
 *
 * <p>File format: one {@code key = value} per line, {@code #} starts a comment, {@code vm} may repeat:
 *
 * <pre>
 * control = /run/vcpubal/host.sock     # control socket of `vcpubal-host status|set-weight`
 * reserved-cpus = 0                    # host CPUs never given to vCPUs (cpulist)
 * emulator-cpus = 0                    # where QEMU's emulator threads go (cpulist; default: all host CPUs)
 * reconcile-interval-ms = 5000         # periodic re-check besides event-driven reconciles
 * lease-ms = 15000                     # balloon lease the guests get; renewed at a third of it
 * backend = qmp                        # hypervisor backend: qmp (VMs listed here) or libvirt (VMs found)
 * libvirt-uri = qemu:///system         # backend = libvirt: the libvirtd to manage
 * manage-all = false                   # backend = libvirt: also pin domains without the vcpubal channel
 * control-group = vcpubal              # a group whose members may run `status` (default: root only)
 * metrics-listen = 127.0.0.1:9464      # Prometheus endpoint, IP:PORT (default: off)
 * demand-aware = true                  # lend what idle VMs leave to busy ones (false: shares by weight only)
 * class = name=batch,vm=db*,comm=batch*,importance=low,shares=256   # a process class (docs/policies.md)
 * vm = name=web,weight=512,qmp=/run/qemu/web.qmp,agent=/run/qemu/web.agent
 * vm = name=db,weight=256,qmp=/run/qemu/db.qmp,agent=/run/qemu/db.agent,max-vcpus=8
 * </pre>
 */
public record HostConfig(Path controlSocket, String reservedCpus, String emulatorCpus, long reconcileIntervalMs,
                         int leaseMs, String backend, String controlGroup, List<VmConfig> vms, String libvirtUri,
                         boolean manageAll, String metricsListen, boolean demandAware, List<ClassConfig> classes) {
    public static final Path DEFAULT_CONFIG = Path.of("/etc/vcpubal/host.conf");
    public static final Path DEFAULT_CONTROL = Path.of("/run/vcpubal/host.sock");
    public static final String DEFAULT_LIBVIRT_URI = "qemu:///system";

    public HostConfig {
        vms = List.copyOf(vms);
        classes = List.copyOf(classes);
        Set<String> classNames = new HashSet<>();
        for (ClassConfig c : classes) {
            if (!classNames.add(c.name())) {
                throw new IllegalArgumentException("class '" + c.name() + "' is declared twice");
            }
        }
        if (classes.size() > Bounds.MAX_CLASSES) {
            throw new IllegalArgumentException("at most " + Bounds.MAX_CLASSES + " classes, got " + classes.size());
        }
        Set<String> names = new HashSet<>();
        for (VmConfig vm : vms) {
            if (!names.add(vm.name())) {
                throw new IllegalArgumentException("VM '" + vm.name() + "' is declared twice");
            }
        }
        if (reconcileIntervalMs < 100 || reconcileIntervalMs > 3_600_000) {
            throw new IllegalArgumentException("reconcile-interval-ms must be 100..3600000, got " + reconcileIntervalMs);
        }
        if (!Backends.KNOWN.contains(backend)) {
            throw new IllegalArgumentException("backend must be one of " + Backends.KNOWN + ", got '" + backend + "'");
        }
        if (libvirtUri == null || libvirtUri.isBlank()) {
            throw new IllegalArgumentException("libvirt-uri is empty");
        }
        if (backend.equals("libvirt") && !vms.isEmpty()) {
            throw new IllegalArgumentException("backend = libvirt finds its VMs itself: remove the vm lines (" + vms.get(0).name()
                    + ", ...) or use backend = qmp");
        }
        if (metricsListen != null) {
            MetricsServer.parseListen(metricsListen); // a bad address fails at start, not at the first scrape
        }
        if (leaseMs < Bounds.MIN_LEASE_MS || leaseMs > Bounds.MAX_LEASE_MS) {
            throw new IllegalArgumentException("lease-ms must be " + Bounds.MIN_LEASE_MS + ".." + Bounds.MAX_LEASE_MS
                    + ", got " + leaseMs);
        }
    }

    public static HostConfig defaults() {
        return new HostConfig(DEFAULT_CONTROL, "", "", 5_000, 15_000, "qmp", null, List.of(), DEFAULT_LIBVIRT_URI, false,
                null, true, List.of());
    }

    public HostConfig withVms(List<VmConfig> newVms) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend,
                controlGroup, newVms, libvirtUri, manageAll, metricsListen, demandAware, classes);
    }

    public HostConfig withControlSocket(Path socket) {
        return new HostConfig(socket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend, controlGroup, vms,
                libvirtUri, manageAll, metricsListen, demandAware, classes);
    }

    public HostConfig withReservedCpus(String cpus) {
        return new HostConfig(controlSocket, cpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend, controlGroup, vms,
                libvirtUri, manageAll, metricsListen, demandAware, classes);
    }

    public HostConfig withReconcileIntervalMs(long ms) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, ms, leaseMs, backend, controlGroup, vms,
                libvirtUri, manageAll, metricsListen, demandAware, classes);
    }

    public HostConfig withBackend(String name) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, name, controlGroup,
                vms, libvirtUri, manageAll, metricsListen, demandAware, classes);
    }

    public HostConfig withLibvirt(String uri, boolean all) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend,
                controlGroup, vms, uri, all, metricsListen, demandAware, classes);
    }

    public HostConfig withMetricsListen(String listen) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend,
                controlGroup, vms, libvirtUri, manageAll, listen, demandAware, classes);
    }

    public HostConfig withClasses(List<ClassConfig> newClasses) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend,
                controlGroup, vms, libvirtUri, manageAll, metricsListen, demandAware, newClasses);
    }

    public HostConfig withDemandAware(boolean on) {
        return new HostConfig(controlSocket, reservedCpus, emulatorCpus, reconcileIntervalMs, leaseMs, backend,
                controlGroup, vms, libvirtUri, manageAll, metricsListen, on, classes);
    }

    /** Reads a config file; errors name the file and line. */
    public static HostConfig read(Path file) throws IOException {
        return parse(Files.readAllLines(file), file.toString());
    }

    public static HostConfig parse(List<String> lines, String origin) {
        HostConfig c = defaults();
        Path control = c.controlSocket();
        String reserved = c.reservedCpus();
        String emulator = c.emulatorCpus();
        long interval = c.reconcileIntervalMs();
        int lease = c.leaseMs();
        String backend = c.backend();
        String group = c.controlGroup();
        String uri = c.libvirtUri();
        boolean all = c.manageAll();
        String metrics = c.metricsListen();
        boolean demand = c.demandAware();
        List<VmConfig> vms = new ArrayList<>();
        List<ClassConfig> classes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            line = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = origin + ":" + (i + 1) + ": ";
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + "expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            try {
                switch (key) {
                    case "control" -> control = Path.of(value);
                    case "reserved-cpus" -> reserved = value;
                    case "emulator-cpus" -> emulator = value;
                    case "reconcile-interval-ms" -> interval = Long.parseLong(value);
                    case "lease-ms" -> lease = Integer.parseInt(value);
                    case "backend" -> backend = value;
                    case "control-group" -> group = value.isEmpty() ? null : value;
                    case "vm" -> vms.add(VmConfig.parse(value));
                    case "libvirt-uri" -> uri = value;
                    case "manage-all" -> all = bool(value);
                    case "metrics-listen" -> metrics = value.isEmpty() ? null : value;
                    case "demand-aware" -> demand = bool(value);
                    case "class" -> classes.add(ClassConfig.parse(value));
                    default -> throw new IllegalArgumentException("unknown key '" + key + "' (known: control,"
                            + " reserved-cpus, emulator-cpus, reconcile-interval-ms, lease-ms, backend, control-group, vm, libvirt-uri, manage-all,"
                            + " metrics-listen, demand-aware, class)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + key + " '" + value + "' is not a whole number");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        try {
            return new HostConfig(control, reserved, emulator, interval, lease, backend, group, vms, uri, all, metrics, demand,
                    classes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage());
        }
    }

    private static boolean bool(String value) {
        return switch (value) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not true or false");
        };
    }
}
