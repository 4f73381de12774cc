package io.vcpubal.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.HostMain;
import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.accounting.TopViews;
import io.vcpubal.host.control.ControlHandler;
import io.vcpubal.host.control.ControlServer;
import io.vcpubal.host.daemon.VmStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TopCommandTest {
    @TempDir
    Path dir;

    /** The fixture's tables; docs/accounting.md shows the same text. */
    @Test
    void rendersTheFixtureAsTheGoldenTables() throws IOException {
        List<String> lines = TopTable.render(TopViews.overcommitted());
        assertEquals(golden("top-overcommitted.txt"), String.join("\n", lines) + "\n");
    }

    @Test
    void columnsLineUpAndLongNamesAreCut() {
        List<String> lines = TopTable.render(TopViews.overcommitted());
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("VM ") && l.contains("PID")).findFirst()
                .orElseThrow());
        String head = lines.get(header);
        List<String> rows = lines.subList(header + 1, header + 5);
        for (String r : rows) {
            assertEquals(head.indexOf("NAME"), r.indexOf(r.substring(head.indexOf("NAME")).strip().split(" ")[0]),
                    "NAME starts under its header: " + r);
            assertEquals(head.length(), r.length(), "HOST% is right-aligned under its header: " + r);
        }
        String batch = rows.stream().filter(r -> r.contains("88")).findFirst().orElseThrow();
        assertTrue(batch.startsWith("batch-with-a-lo+ "), batch);
        assertTrue(batch.contains(" ffmpeg-transcode-wo+ "), batch);
        assertTrue(batch.endsWith("90.5      -"), "unknown host-true is '-': " + batch);
        assertEquals(TopTable.VM_WIDTH, batch.indexOf(' '));
    }

    @Test
    void nothingYetSaysWhy() {
        assertEquals(List.of("no rows yet: a VM shows once the host has seen its agent bring two new process lists"
                + " (within two process periods, 10 s by default)"), TopTable.render(new TopView(List.of(), List.of(), List.of())));
    }

    @Test
    void jsonRoundTrip() {
        TopView v = TopViews.overcommitted();
        String json = TopCommand.toJson(v);
        assertEquals(v, TopCommand.fromJson(json));
        assertTrue(json.contains("\"hostPercent\": -1.0"), "unknown is -1 in JSON");
    }

    @Test
    void optionsHaveTopsDefaults() {
        TopCommand c = new TopCommand();
        new CommandLine(c).parseArgs();
        assertEquals(2.0, c.interval);
        assertNull(c.iterations, "until interrupted");
        assertEquals(20, c.rows);
        assertEquals(false, c.json);
        new CommandLine(c).parseArgs("-n", "3", "--interval", "0.5", "--rows", "5", "--json", "--control", "/x.sock");
        assertEquals(3, c.iterations);
        assertEquals(0.5, c.interval);
        assertEquals(5, c.rows);
        assertTrue(c.json);
        assertEquals(Path.of("/x.sock"), c.control.control);
        new CommandLine(c).parseArgs("--iterations", "7");
        assertEquals(7, c.iterations);
    }

    @Test
    void outOfBoundOptionsAreUsageErrors() {
        for (String[] args : new String[][] {{"--interval", "0"}, {"--interval", "NaN"}, {"-n", "0"}, {"--rows", "0"},
                {"--rows", "257"}, {"--interval", "soon"}}) {
            Run r = run(concat(args, "--control", dir.resolve("none.sock").toString()));
            assertEquals(2, r.code, String.join(" ", args) + ": " + r.err);
        }
        assertTrue(run("top", "--interval", "0").err.contains("--interval must be at least 0.1 seconds"));
    }

    @Test
    void helpExplainsBothFigures() {
        Run r = run("top", "--help");
        assertEquals(0, r.code);
        assertEquals("", r.err, "no picocli format warnings (a bare % in the text)");
        for (String s : new String[] {"GUEST%", "HOST%", "FACTOR", "--interval=SECONDS", "-n, --iterations=N", "--json",
                "--control=PATH", "per VM"}) {
            assertTrue(r.out.contains(s), s + " in:\n" + r.out);
        }
    }

    @Test
    void saysSoWhenNoDaemonRuns() {
        Run r = run("top", "--control", dir.resolve("none.sock").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("vcpubal-host top: no vcpubal-host daemon at "), r.err);
    }

    @Test
    void refreshesNTimesFromTheDaemonThenStops() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Path sock = dir.resolve("host.sock");
        try (ControlServer server = new ControlServer(sock, null, new ControlHandler() {
            @Override
            public List<VmStatus> status() {
                return List.of();
            }

            @Override
            public void setWeight(String vm, int weight) {
            }

            @Override
            public TopView top(int rows) {
                asked.incrementAndGet();
                return TopViews.overcommitted();
            }
        })) {
            Run r = run("top", "-n", "2", "--interval", "0.1", "--control", sock.toString());
            assertEquals(0, r.code, r.err);
            assertEquals(2, asked.get());
            assertEquals(2, r.out.lines().filter(l -> l.startsWith("vcpubal-host top at ")).count(), r.out);
            Run json = run("top", "--json", "--control", sock.toString());
            assertEquals(TopViews.overcommitted(), TopCommand.fromJson(json.out));
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        String[] full = args.length > 0 && args[0].equals("top") ? args : concat(new String[] {"top"}, args);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            CommandLine cl = HostMain.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            int code = cl.execute(full);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String golden(String name) throws IOException {
        try (InputStream in = TopCommandTest.class.getResourceAsStream(name)) {
            return in == null ? "(no " + name + ")" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
