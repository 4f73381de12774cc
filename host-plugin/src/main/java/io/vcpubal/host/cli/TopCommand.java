package io.vcpubal.host.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.vcpubal.host.accounting.ProcessTable;
import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vcpubal-host top}: the busiest guest processes of all VMs, as guests count them and as the host ran them. */
@Command(name = "top", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Show the busiest processes of every VM's guest, refreshed like top(1) until interrupted, and the"
                    + " host-configured process classes below them. Figures are percent of one CPU:",
            "  GUEST%%  what the guest counts the process used;",
            "  HOST%%   GUEST%% x the VM's FACTOR: the part the host really ran on a pCPU.",
            "Under overcommit a guest charges its running process for time the host had taken its vCPU away, so"
                    + " GUEST%% is inflated. FACTOR = host vCPU run time / guest busy time over the same interval,"
                    + " at most 1. It is per VM: the agent does not say on which vCPU a process ran. WANT = CPUs the"
                    + " VM's vCPU threads ran or waited for. '-' = unknown (no host sample yet, a QEMU or guest"
                    + " restart).",
            "A VM shows once the host has seen its agent bring two new process lists (within two process"
                    + " periods, 10 s by default). See docs/accounting.md.",
            ""},
        footer = {"", "Examples:", "  vcpubal-host top                  refresh every 2 s until Ctrl-C",
            "  vcpubal-host top -n 1 --rows 10   one screen of the 10 busiest processes",
            "  vcpubal-host top --json           the rows once, as JSON (for scripts)"})
public final class TopCommand implements Callable<Integer> {
    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between refreshes (default ${DEFAULT-VALUE}, at least 0.1).")
    double interval;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N",
            description = "Stop after N refreshes (default: until interrupted).")
    Integer iterations;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "20",
            description = "Processes to show, busiest first (1..256, default ${DEFAULT-VALUE}); as many classes.")
    int rows;

    @Option(names = "--json", description = "Print the rows once as JSON and exit (ignores --interval and -n).")
    boolean json;

    @Mixin
    ControlOption control;

    @Spec
    CommandSpec spec;

    private static final Gson GSON = new Gson();

    @Override
    public Integer call() {
        check();
        try {
            if (json) {
                System.out.println(toJson(fetch(control.control, rows)));
                return 0;
            }
            boolean terminal = System.console() != null;
            for (int i = 0; iterations == null || i < iterations; i++) {
                if (i > 0) {
                    Thread.sleep((long) (interval * 1000));
                }
                TopView view = fetch(control.control, rows);
                print(view, System.out, terminal, i > 0);
            }
            return 0;
        } catch (IOException e) {
            System.err.println("vcpubal-host top: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Bounds picocli's types do not check; a violation exits 2 with the usage, as other bad arguments do. */
    void check() {
        if (!(interval >= 0.1) || Double.isInfinite(interval)) {
            throw new ParameterException(spec.commandLine(), "--interval must be at least 0.1 seconds, not "
                    + interval);
        }
        if (iterations != null && iterations < 1) {
            throw new ParameterException(spec.commandLine(), "-n/--iterations must be at least 1, not " + iterations);
        }
        if (rows < 1 || rows > ProcessTable.DEFAULT_ROWS_IN_ALL) {
            throw new ParameterException(spec.commandLine(), "--rows must be 1.." + ProcessTable.DEFAULT_ROWS_IN_ALL
                    + ", not " + rows);
        }
    }

    /** Asks the daemon; its IOException says what to do when the daemon is not running. */
    static TopView fetch(Path socket, int rows) throws IOException {
        JsonObject req = new JsonObject();
        req.addProperty("op", "top");
        req.addProperty("rows", rows);
        JsonObject answer = ControlClient.request(socket, req);
        if (!answer.has("top") || !answer.get("top").isJsonObject()) {
            throw new IOException("the daemon at " + socket + " does not know top (an older vcpubal-host?)");
        }
        return GSON.fromJson(answer.get("top"), TopView.class);
    }

    static String toJson(TopView view) {
        return new GsonBuilder().setPrettyPrinting().create().toJson(view);
    }

    static TopView fromJson(String json) {
        return GSON.fromJson(json, TopView.class);
    }

    /** One refresh: on a terminal the screen is cleared first, like top(1); otherwise frames follow each other. */
    static void print(TopView view, PrintStream out, boolean terminal, boolean again) {
        if (terminal) {
            out.print("\033[H\033[2J");
        } else if (again) {
            out.println();
        }
        out.println("vcpubal-host top at " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"))
                + " (percent of one CPU; HOST% = GUEST% x FACTOR)");
        out.println();
        TopTable.render(view).forEach(out::println);
        out.flush();
    }
}
