package io.vcpubal.host.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One VM as the operator declares it ({@link VmSpecParser}:
 * {@code name=NAME,weight=W,qmp=PATH[,agent=PATH][,pidfile=PATH][,max-vcpus=N][,min-vcpus=N][,balloon=MODE]}). The weight
 * comes only from the operator, never from the guest.
 *
 * @param qmpSocket   QEMU's {@code -qmp unix:} socket; null for VMs a backend finds by itself
 * @param agentSocket null = no agent link (the VM is still pinned)
 * @param pidfile     QEMU's {@code -pidfile}; when given it must name the process that owns the QMP socket
 * @param maxVcpus    0 = as many as QEMU reports
 * @param balloon     hotplug (default), fence or auto; fence needs an agent that offers it, else hotplug
 */
public record VmConfig(String name, int weight, Path qmpSocket, Path agentSocket, Path pidfile, int maxVcpus,
                       int minVcpus, BalloonChoice balloon) {
    /** Largest weight, as Xen's credit scheduler allows. */
    public static final int MAX_WEIGHT = 65_535;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public VmConfig {
        if (!validName(name)) {
            throw new IllegalArgumentException("VM name '" + name
                    + "' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        checkWeight(weight);
        java.util.Objects.requireNonNull(balloon, "balloon");
        if (maxVcpus < 0 || minVcpus < 0 || (maxVcpus > 0 && minVcpus > maxVcpus)) {
            throw new IllegalArgumentException("VM " + name + ": need 0 <= min-vcpus <= max-vcpus, got min "
                    + minVcpus + ", max " + maxVcpus);
        }
    }

    public VmConfig(String name, int weight, Path qmpSocket, Path agentSocket, Path pidfile, int maxVcpus,
                    int minVcpus) {
        this(name, weight, qmpSocket, agentSocket, pidfile, maxVcpus, minVcpus, BalloonChoice.HOTPLUG);
    }

    public VmConfig(String name, int weight, Path qmpSocket, Path agentSocket, int maxVcpus, int minVcpus) {
        this(name, weight, qmpSocket, agentSocket, null, maxVcpus, minVcpus);
    }

    public VmConfig withBalloon(BalloonChoice choice) {
        return new VmConfig(name, weight, qmpSocket, agentSocket, pidfile, maxVcpus, minVcpus, choice);
    }

    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static void checkWeight(int weight) {
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1.." + MAX_WEIGHT + ", got " + weight);
        }
    }

    public VmConfig withWeight(int newWeight) {
        return new VmConfig(name, newWeight, qmpSocket, agentSocket, pidfile, maxVcpus, minVcpus, balloon);
    }

    /** A spec of {@code run --vm} or a {@code vm =} line; errors name the spec. */
    public static VmConfig parse(String text) {
        try {
            return VmSpecParser.parse(text, VmSpecParser.Use.RUN);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in VM spec '" + text + "'");
        }
    }
}
