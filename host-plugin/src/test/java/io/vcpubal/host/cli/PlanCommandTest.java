package io.vcpubal.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vcpubal.host.HostMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Runs {@code vcpubal-host plan} through the real command line, on topology fixture files. */
class PlanCommandTest {

    private static final String PAPER = fixture("/io/vcpubal/host/cli/paper-12core.txt");
    private static final String TWO_CPUS = fixture("/io/vcpubal/host/topology/lscpu/this-host-2cpu.txt");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        /** The table row of one VM (its line starts with the name and a space). */
        String row(String vm) {
            return lines().stream().filter(l -> l.startsWith(vm + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + vm + " in:\n" + out));
        }
    }

    static Run run(String... args) {
        CommandLine cli = HostMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String fixture(String resource) {
        try {
            return Path.of(PlanCommandTest.class.getResource(resource).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] paperArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--topology", PAPER,
                "--vm", "name=vm1,weight=512,max-vcpus=12", "--vm", "name=vm2,weight=256,max-vcpus=12"));
        args.addAll(Arrays.asList(extra));
        return args.toArray(String[]::new);
    }

    private static String[] threeToOneArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--topology", TWO_CPUS,
                "--vm", "name=a,weight=3,max-vcpus=2", "--vm", "name=b,weight=1,max-vcpus=2"));
        args.addAll(Arrays.asList(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void paperCaseGives8And4DedicatedVcpusOnCpus0To7And8To11() {
        Run r = run(paperArgs());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of("vm1", "512", "8.00", "dedicated", "8/12", "0:0", "1:1", "2:2", "3:3", "4:4", "5:5",
                "6:6", "7:7"), List.of(r.row("vm1").split(" +")));
        assertEquals(List.of("vm2", "256", "4.00", "dedicated", "4/12", "0:8", "1:9", "2:10", "3:11"),
                List.of(r.row("vm2").split(" +")));
        assertTrue(r.lines().contains("shared pool: none"), r.out());
        assertTrue(r.lines().contains("emulator CPUs: 0-11"), r.out());
        assertTrue(r.out().contains("shares add up to 12.00"), r.out());
    }

    @Test
    void tableColumnsAreAligned() {
        Run r = run(paperArgs());
        String header = r.lines().stream().filter(l -> l.startsWith("VM ")).findFirst().orElseThrow();
        // Text columns start under their header, numeric ones end under it.
        assertEquals(header.indexOf("MODE"), r.row("vm1").indexOf("dedicated"));
        assertEquals(header.indexOf("MODE"), r.row("vm2").indexOf("dedicated"));
        assertEquals(header.indexOf("PINS"), r.row("vm1").indexOf("0:0"));
        assertEquals(header.indexOf("PINS"), r.row("vm2").indexOf("0:8"));
        int shareEnd = header.indexOf("SHARE") + "SHARE".length();
        assertEquals(shareEnd, r.row("vm1").indexOf("8.00") + 4);
        assertEquals(shareEnd, r.row("vm2").indexOf("4.00") + 4);
    }

    /**
     * 3:1 on 2 CPUs: shares 1.5 and 0.5, both fractional, so both VMs are balanced. a keeps one dedicated
     * vCPU (on CPU 0, the first CPU the planner takes) and one vCPU on the shared pool (CPU 1); b's only vCPU
     * runs on the pool too.
     */
    @Test
    void threeToOneOnTwoCpusIsBalancedForBoth() {
        Run r = run(threeToOneArgs());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("a", "3", "1.50", "balanced", "2/2", "0:0", "1:1"), List.of(r.row("a").split(" +")));
        assertEquals(List.of("b", "1", "0.50", "balanced", "1/2", "0:1"), List.of(r.row("b").split(" +")));
        assertTrue(r.lines().contains("shared pool: 1"), r.out());
        assertTrue(r.lines().contains("emulator CPUs: 1"), r.out());
    }

    @Test
    void jsonHoldsTheSameNumbers() {
        Run r = run(paperArgs("--json"));
        assertEquals(0, r.code(), r.err());
        JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("0-11", doc.get("assignableCpus").getAsString());
        assertEquals(12.0, doc.get("totalShare").getAsDouble());
        assertEquals("", doc.get("sharedPool").getAsString());
        assertEquals("0-11", doc.get("emulatorCpus").getAsString());
        assertEquals(12, doc.getAsJsonObject("topology").get("numCpus").getAsInt());
        JsonArray vms = doc.getAsJsonArray("vms");
        assertEquals(2, vms.size());
        JsonObject vm1 = vms.get(0).getAsJsonObject();
        assertEquals("vm1", vm1.get("name").getAsString());
        assertEquals(512, vm1.get("weight").getAsLong());
        assertEquals(8.0, vm1.get("share").getAsDouble());
        assertEquals("dedicated", vm1.get("mode").getAsString());
        assertEquals(8, vm1.get("onlineVcpus").getAsInt());
        assertEquals("0-7", vm1.get("dedicatedCpus").getAsString());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7"), strings(vm1.getAsJsonArray("vcpuPins")));
        JsonObject vm2 = vms.get(1).getAsJsonObject();
        assertEquals(4.0, vm2.get("share").getAsDouble());
        assertEquals(4, vm2.get("onlineVcpus").getAsInt());
        assertEquals(List.of("8", "9", "10", "11"), strings(vm2.getAsJsonArray("vcpuPins")));
    }

    @Test
    void jsonOfTheBalancedCase() {
        Run r = run(threeToOneArgs("--json"));
        assertEquals(0, r.code(), r.err());
        JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("1", doc.get("sharedPool").getAsString());
        JsonObject a = doc.getAsJsonArray("vms").get(0).getAsJsonObject();
        assertEquals(1.5, a.get("share").getAsDouble());
        assertEquals("balanced", a.get("mode").getAsString());
        assertEquals(1, a.get("dedicatedVcpus").getAsInt());
        assertEquals(0.5, a.get("balancedShare").getAsDouble(), 1e-9);
        assertEquals(List.of("0", "1"), strings(a.getAsJsonArray("vcpuPins")));
        JsonObject b = doc.getAsJsonArray("vms").get(1).getAsJsonObject();
        assertEquals(0.5, b.get("share").getAsDouble());
        assertEquals(List.of("1"), strings(b.getAsJsonArray("vcpuPins")));
    }

    @Test
    void reservedCpusAreLeftOutAndHoldTheEmulatorThreads() {
        Run r = run(paperArgs("--reserved-cpus", "0", "--emulator-cpus", "11"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("assignable: 10 CPUs (1-10); shares add up to 10.00"), r.out());
        assertTrue(r.lines().contains("emulator CPUs: 11"), r.out());
        assertEquals("6.67", r.row("vm1").split(" +")[2]);
        assertEquals("3.33", r.row("vm2").split(" +")[2]);
        assertTrue(!r.row("vm1").matches(".*:(0|11)( .*|$)") && !r.row("vm2").matches(".*:(0|11)( .*|$)"),
                "no vCPU on a reserved CPU:\n" + r.out());
    }

    @Test
    void minVcpusIsHonoured() {
        Run r = run("plan", "--topology", PAPER, "--vm", "name=big,weight=1000,max-vcpus=12",
                "--vm", "name=small,weight=1,max-vcpus=4,min-vcpus=3");
        assertEquals(0, r.code(), r.err());
        assertEquals("3.00", r.row("small").split(" +")[2]);
        assertEquals("9.00", r.row("big").split(" +")[2]);
    }

    @Test
    void withoutTopologyPlansThisHost() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/devices/system/cpu")), "needs Linux /sys");
        Run r = run("plan", "--vm", "name=a,weight=1,max-vcpus=1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("topology: this host (/sys): "), r.out());
        assertEquals("1.00", r.row("a").split(" +")[2]);
    }

    static Stream<Arguments> badVmSpecs() {
        return Stream.of(
                Arguments.of("name=a,weight=1,max-vcpus=2,qmp=/run/a.qmp",
                        "unknown key 'qmp' (known: name, weight, max-vcpus, min-vcpus) in 'name=a,weight=1,max-vcpus=2,qmp=/run/a.qmp'"),
                Arguments.of("name=a,weight=1", "missing max-vcpus="),
                Arguments.of("weight=1,max-vcpus=2", "missing name="),
                Arguments.of("name=a,max-vcpus=2", "missing weight="),
                Arguments.of("name=a,weight=abc,max-vcpus=2", "weight='abc' must be a whole number from 1 to 65535"),
                Arguments.of("name=a,weight=0,max-vcpus=2", "weight='0'"),
                Arguments.of("name=a,weight=70000,max-vcpus=2", "weight='70000'"),
                Arguments.of("name=a,weight=1,max-vcpus=0", "max-vcpus='0'"),
                Arguments.of("name=a,weight=1,max-vcpus=-2", "max-vcpus='-2'"),
                Arguments.of("name=a,weight=1,max-vcpus=2,min-vcpus=3", "min-vcpus='3' must be a whole number from 0 to 2"),
                Arguments.of("name=a,weight=1,weight=2,max-vcpus=2", "key 'weight' is given twice"),
                Arguments.of("name=a,weight=1,,max-vcpus=2", "'' is not key=value"),
                Arguments.of("name=a weight=1 max-vcpus=2", "name 'a weight=1 max-vcpus=2' must be"),
                Arguments.of("name=,weight=1,max-vcpus=2", "name is empty"),
                Arguments.of("name=a/b,weight=1,max-vcpus=2", "name 'a/b' must be"),
                Arguments.of("name=a,weight= 1,max-vcpus=2", "weight=' 1'"));
    }

    @ParameterizedTest
    @MethodSource("badVmSpecs")
    void badVmSpecIsAUsageErrorNamingTheKey(String vm, String expected) {
        Run r = run("plan", "--topology", PAPER, "--vm", vm);
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--vm"), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badTopologyFileNamesTheLine() throws IOException {
        Path file = tmp.resolve("topo.txt");
        Files.write(file, List.of("# CPU,Core,Socket,Node", "0,0,0,0", "1,x,0,0"));
        Run r = run("plan", "--topology", file.toString(), "--vm", "name=a,weight=1,max-vcpus=2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("line 3"), r.err());
        assertTrue(r.err().contains("CORE \"x\""), r.err());
        assertTrue(r.err().contains(file.toString()), r.err());
        assertEquals("", r.out());
    }

    @Test
    void emptyTopologyFileIsAUsageError() throws IOException {
        Path file = tmp.resolve("empty.txt");
        Files.write(file, List.of("# nothing here"));
        Run r = run("plan", "--topology", file.toString(), "--vm", "name=a,weight=1,max-vcpus=2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no CPU lines found"), r.err());
    }

    @Test
    void missingTopologyFileIsAUsageError() {
        Path file = tmp.resolve("nope.txt");
        Run r = run("plan", "--topology", file.toString(), "--vm", "name=a,weight=1,max-vcpus=2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(file + " does not exist"), r.err());
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("plan", "--topology", PAPER), "Missing required option: '--vm"),
                Arguments.of(List.of("plan", "--topology", PAPER, "--vm", "name=a,weight=1,max-vcpus=1", "--frobnicate"),
                        "Unknown option: '--frobnicate'"),
                Arguments.of(List.of("plan", "--topology", PAPER, "--vm", "name=a,weight=1,max-vcpus=1",
                        "--reserved-cpus", "3-1"), "descending range"),
                Arguments.of(List.of("plan", "--topology", PAPER, "--vm", "name=a,weight=1,max-vcpus=1",
                        "--emulator-cpus", "1,,2"), "empty item"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExitWith2(List<String> args, String expected) {
        Run r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains(expected), r.err());
    }

    static Stream<Arguments> planningErrors() {
        return Stream.of(
                Arguments.of(List.of("--vm", "name=a,weight=1,max-vcpus=2,min-vcpus=2",
                        "--vm", "name=b,weight=1,max-vcpus=2,min-vcpus=1"), "min vCPUs add up to 3"),
                Arguments.of(List.of("--vm", "name=a,weight=1,max-vcpus=2", "--vm", "name=a,weight=2,max-vcpus=2"),
                        "two VMs are named a"),
                Arguments.of(List.of("--vm", "name=a,weight=1,max-vcpus=2", "--reserved-cpus", "0-1"),
                        "no pCPU left for vCPUs"),
                Arguments.of(List.of("--vm", "name=a,weight=1,max-vcpus=2", "--emulator-cpus", "7"),
                        "reserved emulator CPUs 7: CPU(s) 7 are not online CPUs"));
    }

    @ParameterizedTest
    @MethodSource("planningErrors")
    void planningErrorsExitWith1AndSayWhy(List<String> vmArgs, String expected) {
        List<String> args = new ArrayList<>(List.of("plan", "--topology", TWO_CPUS));
        args.addAll(vmArgs);
        Run r = run(args.toArray(String[]::new));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("vcpubal-host plan: cannot plan: "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpDescribesEveryOption() {
        Run r = run("plan", "--help");
        assertEquals(0, r.code());
        for (String option : List.of("--topology", "--vm", "--reserved-cpus", "--emulator-cpus", "--json")) {
            assertTrue(r.out().contains(option), option + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes:"), r.out());
    }

    private static List<String> strings(JsonArray array) {
        List<String> list = new ArrayList<>();
        array.forEach(e -> list.add(e.getAsString()));
        return list;
    }
}
