package io.vcpubal.host.cli;

import com.google.gson.GsonBuilder;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.config.VmSpecParser;
import io.vcpubal.host.plan.Mode;
import io.vcpubal.host.plan.Plan;
import io.vcpubal.host.plan.Planner;
import io.vcpubal.host.plan.VmPlan;
import io.vcpubal.host.plan.VmSpec;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.host.topology.HostTopology;
import io.vcpubal.host.topology.ReservedCpus;
import io.vcpubal.host.topology.SysfsTopologyDiscovery;
import io.vcpubal.host.topology.TopologyFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vcpubal-host plan}: runs the {@link Planner} on a topology and a list of VMs and prints the result.
 * Touches nothing (no QMP, no guest, no affinity), so any host can be explored from a topology file.
 *
 * <p>Exit codes: 0 planned; 2 the input is malformed (an option, a {@code --vm} spec, the topology file:
 * fix the command); 1 the input is well-formed but cannot be planned (e.g. the VMs' minimums do not fit, a
 * reserved CPU is not on the host) or this host's topology cannot be read.
 */
@Command(name = "plan", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Prints the plan the daemon would apply, without touching any VM: each VM's share of the host"
                    + " CPUs by weight (N = W * T / sum(W), capped at max-vcpus, raised to min-vcpus), how many"
                    + " vCPUs it keeps online, the host CPU each vCPU is pinned to, and where the shared pool"
                    + " and QEMU's emulator threads go.",
            "A whole share gives 'dedicated' vCPUs (one host CPU each); a fractional share is 'balanced':"
                    + " floor(share) dedicated vCPUs plus one vCPU on the shared pool."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:planned",
            "1:input well-formed but cannot be planned, or this host's topology unreadable",
            "2:malformed input: options, --vm spec or topology file"},
        footer = {"%nExample (on a 12-CPU host, the VCPU-Bal paper's case: 8 and 4 vCPUs on CPUs 0-7 and 8-11):",
            "  lscpu -p=CPU,CORE,SOCKET,NODE > host.txt   # on the host to explore",
            "  vcpubal-host plan --topology host.txt --vm name=vm1,weight=512,max-vcpus=12 \\",
            "      --vm name=vm2,weight=256,max-vcpus=12"})
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--topology", paramLabel = "FILE",
            description = "Host CPUs in `lscpu -p=CPU,CORE,SOCKET,NODE` format (plain `lscpu -p` works too)."
                    + " Default: this host, read from /sys.")
    Path topologyFile;

    @Option(names = "--vm", required = true, paramLabel = "name=NAME,weight=W,max-vcpus=N[,min-vcpus=N]",
            converter = VmSpecConverter.class,
            description = "A VM to plan; repeat for each VM. weight: 1-" + VmConfig.MAX_WEIGHT
                    + "; max-vcpus: the vCPUs it was started with; min-vcpus: CPUs guaranteed whatever the"
                    + " weights (default 0).")
    List<VmSpec> vms;

    @Option(names = "--reserved-cpus", paramLabel = "CPULIST", converter = CpuListConverter.class,
            description = "Host CPUs kept for the host itself, never given to vCPUs (e.g. 0,8).")
    CpuSet reservedCpus = CpuSet.empty();

    @Option(names = "--emulator-cpus", paramLabel = "CPULIST", converter = CpuListConverter.class,
            description = "Host CPUs reserved for QEMU's emulator threads, never given to vCPUs.")
    CpuSet emulatorCpus = CpuSet.empty();

    @Option(names = "--json", description = "Print the plan as JSON instead of a table.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HostTopology topology;
        String source;
        if (topologyFile != null) {
            source = topologyFile.toString();
            try {
                topology = TopologyFile.read(topologyFile);
            } catch (NoSuchFileException e) {
                return fail(err, CommandLine.ExitCode.USAGE, "topology file " + topologyFile + " does not exist");
            } catch (IOException e) {
                return fail(err, CommandLine.ExitCode.USAGE, "cannot read topology file " + topologyFile + ": " + e);
            } catch (IllegalArgumentException e) {
                return fail(err, CommandLine.ExitCode.USAGE, "bad topology file " + e.getMessage());
            }
        } else {
            source = "this host (/sys)";
            try {
                topology = new SysfsTopologyDiscovery(Path.of("/")).discover();
            } catch (IOException e) {
                return fail(err, CommandLine.ExitCode.SOFTWARE, "cannot read this host's topology: "
                        + e.getMessage() + " (give one with --topology FILE)");
            }
        }

        Plan plan;
        try {
            plan = Planner.plan(topology, new ReservedCpus(reservedCpus, emulatorCpus), vms);
        } catch (IllegalArgumentException e) {
            return fail(err, CommandLine.ExitCode.SOFTWARE, "cannot plan: " + e.getMessage());
        }
        if (json) {
            out.println(toJson(source, topology, plan));
        } else {
            printTable(out, source, topology, plan);
        }
        out.flush();
        return CommandLine.ExitCode.OK;
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("vcpubal-host plan: " + message);
        err.flush();
        return code;
    }

    // ---- human output ----

    private void printTable(PrintWriter out, String source, HostTopology topology, Plan plan) {
        out.println("topology: " + source + ": " + topology);
        out.println("assignable: " + plan.assignableCpus().size() + " CPUs (" + orNone(plan.assignableCpus())
                + "); shares add up to " + two(plan.totalShare()));
        out.println();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("VM", "WEIGHT", "SHARE", "MODE", "ONLINE", "PINS (vCPU:CPUs)"));
        for (int i = 0; i < plan.vms().size(); i++) {
            VmPlan vm = plan.vms().get(i);
            rows.add(List.of(vm.name(), Long.toString(vms.get(i).weight()), two(vm.share()), mode(vm.mode()),
                    vm.onlineVcpus() + "/" + vms.get(i).maxVcpus(), pins(vm.vcpuPins())));
        }
        printAligned(out, rows);
        out.println();
        out.println("shared pool: " + orNone(plan.sharedPool()));
        out.println("emulator CPUs: " + orNone(plan.emulatorCpus()));
    }

    /** Left-aligned columns two spaces apart, numbers right-aligned under their header. */
    private static void printAligned(PrintWriter out, List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        boolean[] numeric = {false, true, true, false, true, false};
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                String pad = " ".repeat(width[c] - cell.length());
                if (c > 0) {
                    line.append("  ");
                }
                line.append(numeric[c] ? pad + cell : c == columns - 1 ? cell : cell + pad);
            }
            out.println(line);
        }
    }

    private static String pins(List<CpuSet> pins) {
        List<String> parts = new ArrayList<>(pins.size());
        for (int i = 0; i < pins.size(); i++) {
            parts.add(i + ":" + pins.get(i));
        }
        return String.join(" ", parts);
    }

    private static String mode(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String two(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String orNone(CpuSet cpus) {
        return cpus.isEmpty() ? "none" : cpus.toString();
    }

    // ---- JSON output ----

    /** JSON shape of the whole output; cpulists are strings in the kernel's format ("0-3,5"). */
    record JsonPlan(String topologySource, JsonTopology topology, String assignableCpus, double totalShare,
                    String sharedPool, String emulatorCpus, List<JsonVm> vms) {
    }

    record JsonTopology(String cpus, int numCpus, int numCores, int numSockets, int numNodes) {
    }

    /** {@code vcpuPins[i]} is the cpulist vCPU i is pinned to; its length is the number of online vCPUs. */
    record JsonVm(String name, long weight, int maxVcpus, int minVcpus, double share, String mode,
                  int onlineVcpus, int dedicatedVcpus, String dedicatedCpus, double balancedShare,
                  List<String> vcpuPins) {
    }

    private String toJson(String source, HostTopology topology, Plan plan) {
        List<JsonVm> list = new ArrayList<>();
        for (int i = 0; i < plan.vms().size(); i++) {
            VmPlan vm = plan.vms().get(i);
            VmSpec in = vms.get(i);
            list.add(new JsonVm(vm.name(), in.weight(), in.maxVcpus(), in.minVcpus(), vm.share(), mode(vm.mode()),
                    vm.onlineVcpus(), vm.dedicatedVcpus(), vm.dedicatedCpus().toString(), vm.balancedShare(),
                    vm.vcpuPins().stream().map(CpuSet::toString).collect(Collectors.toList())));
        }
        JsonPlan doc = new JsonPlan(source,
                new JsonTopology(topology.cpus().toString(), topology.numCpus(), topology.numCores(),
                        topology.numSockets(), topology.numNodes()),
                plan.assignableCpus().toString(), plan.totalShare(), plan.sharedPool().toString(),
                plan.emulatorCpus().toString(), list);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(doc);
    }

    // ---- option parsing ----

    /** {@code name=NAME,weight=W,max-vcpus=N[,min-vcpus=N]} through the daemon's own {@link VmSpecParser}. */
    public static final class VmSpecConverter implements CommandLine.ITypeConverter<VmSpec> {
        @Override
        public VmSpec convert(String text) {
            try {
                VmConfig vm = VmSpecParser.parse(text, VmSpecParser.Use.PLAN);
                return new VmSpec(vm.name(), vm.weight(), vm.maxVcpus(), vm.minVcpus());
            } catch (IllegalArgumentException e) {
                // picocli shows the option's label, not the value: say which --vm was wrong.
                throw new CommandLine.TypeConversionException(e.getMessage() + " in '" + text + "'");
            }
        }
    }

    /** A strict cpulist ({@link CpuSet#parse}). */
    public static final class CpuListConverter implements CommandLine.ITypeConverter<CpuSet> {
        @Override
        public CpuSet convert(String text) {
            try {
                return CpuSet.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
