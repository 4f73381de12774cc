package io.vcpubal.lab.policy;

import io.vcpubal.host.accounting.SchedstatReader;
import io.vcpubal.host.accounting.TaskSchedstat;
import io.vcpubal.host.backend.VcpuThread;
import io.vcpubal.host.backend.qmp.QmpClient;
import io.vcpubal.lab.Guest;
import io.vcpubal.lab.LabException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which cgroup v2 knob holds a low class back for a high job in <em>another</em> VM ({@code ./run-lab
 * --throttles}): guest a runs a CPU-bound batch in a group of its own, guest b a job of fixed work, both VMs'
 * vCPU threads free on the host's pCPUs (no vcpubal: the knob alone is measured). For each knob, written in a
 * as the agent would: how soon a's vCPUs stop taking host CPU after the write (sampled every 20 ms from the
 * host, the exec round trip to the guest included and also given alone), b's job time against its time alone,
 * and the host CPU a's batch still gets meanwhile.
 */
public final class ThrottleBench {
    /** A knob and its two writes, relative to the low group. */
    public enum Knob {
        NONE("no throttle", null, null),
        IDLE("cpu.idle = 1", "echo 1 > cpu.idle", "echo 0 > cpu.idle"),
        MAX("cpu.max = 1000 100000 (1 %)", "echo '1000 100000' > cpu.max", "echo 'max 100000' > cpu.max"),
        FREEZE("cgroup.freeze = 1", "echo 1 > cgroup.freeze", "echo 0 > cgroup.freeze");

        final String label;
        final String on;
        final String off;

        Knob(String label, String on, String off) {
            this.label = label;
            this.on = on;
            this.off = off;
        }
    }

    /**
     * @param reactionMs host view, write issued to a's vCPUs below {@link #QUIET_CPUS}; -1 when they never got there
     * @param lowCpus host CPUs a's vCPUs took while b's job ran
     */
    public record Row(Knob knob, double jobMs, double ratio, long reactionMs, double lowCpus) {}

    public record Results(double aloneMs, long execRoundTripMs, List<Row> rows) {
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "throttle: b's job alone %.0f ms; a guest exec round trip %d ms (included in"
                    + " each reaction)", aloneMs, execRoundTripMs));
            for (Row r : rows) {
                out.add(String.format(Locale.ROOT, "throttle: %-28s b's job %6.0f ms = %.2fx alone; a's vCPUs quiet %s;"
                        + " a's batch meanwhile %.2f host CPUs", r.knob().label, r.jobMs(), r.ratio(),
                        r.reactionMs() < 0 ? "never" : r.reactionMs() + " ms after the write", r.lowCpus()));
            }
            return out;
        }
    }

    static final double QUIET_CPUS = 0.25;
    private static final String GROUP = "/sys/fs/cgroup/bench.low";
    private static final Duration SETTLE = Duration.ofSeconds(4);
    private static final Duration QUIET_WAIT = Duration.ofSeconds(10);
    private static final Duration T = Duration.ofMinutes(5);
    private static final double JOB_MS = 8_000;

    private final Guest a;
    private final Guest b;
    private final SchedstatReader schedstat = new SchedstatReader(Path.of("/"));
    private List<VcpuThread> aThreads;
    private int jobIterations = 20_000;

    public ThrottleBench(Guest a, Guest b) {
        this.a = a;
        this.b = b;
    }

    /** Runs every knob, printing each row as a {@code lab:} line when it is measured. */
    public Results run() throws Exception {
        try (QmpClient q = QmpClient.connect(a.qmpSocket(), Duration.ofSeconds(10))) {
            aThreads = q.queryVcpuThreads();
        }
        a.exec("grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup;"
                + " echo +cpu > /sys/fs/cgroup/cgroup.subtree_control; mkdir -p " + GROUP, T).requireOk();
        double probe = runJob();
        jobIterations = (int) Math.max(5_000, Math.min(2_000_000, jobIterations * JOB_MS / Math.max(probe, 1)));
        double alone = runJob();
        long t0 = System.nanoTime();
        a.exec("true", T).requireOk();
        long execMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("lab: " + new Results(alone, execMs, List.of()).lines().get(0));
        a.spawn("echo $$ > " + GROUP + "/cgroup.procs; for i in 1 2; do sh -c 'while :; do :; done' lowbatch & done; wait");
        List<Row> rows = new ArrayList<>();
        try {
            for (Knob k : Knob.values()) {
                Thread.sleep(SETTLE.toMillis());
                if (aCpus(Duration.ofSeconds(1)) < 0.5) {
                    throw new LabException("a's batch is not running: " + a.exec("cat " + GROUP + "/cgroup.procs", T));
                }
                long reaction = -1;
                if (k.on != null) {
                    long w0 = System.nanoTime();
                    a.exec("cd " + GROUP + " && " + k.on, T).requireOk();
                    reaction = untilQuiet(w0);
                }
                long run0 = aRunNs();
                long j0 = System.nanoTime();
                double job = runJob();
                double low = (aRunNs() - run0) / (double) (System.nanoTime() - j0);
                rows.add(new Row(k, job, job / alone, reaction, low));
                if (k.off != null) {
                    a.exec("cd " + GROUP + " && " + k.off, T).requireOk();
                }
                System.out.println("lab: " + new Results(alone, execMs, List.of(rows.get(rows.size() - 1))).lines().get(1));
                System.out.flush();
            }
        } finally {
            a.exec("pkill -f lowbatch; true", T);
        }
        return new Results(alone, execMs, rows);
    }

    /** Milliseconds from {@code fromNanos} to a 100 ms window in which a's vCPUs took under QUIET_CPUS; -1 if none. */
    private long untilQuiet(long fromNanos) throws InterruptedException {
        long end = fromNanos + QUIET_WAIT.toNanos();
        long prevNs = aRunNs();
        long prevAt = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(20);
            long now = System.nanoTime();
            if (now - prevAt >= 100_000_000L) {
                long ns = aRunNs();
                if ((ns - prevNs) / (double) (now - prevAt) < QUIET_CPUS) {
                    return (prevAt - fromNanos) / 1_000_000; // quiet from the window's start
                }
                prevNs = ns;
                prevAt = now;
            }
        }
        return -1;
    }

    private double aCpus(Duration window) throws InterruptedException {
        long ns = aRunNs();
        long t = System.nanoTime();
        Thread.sleep(window.toMillis());
        return (aRunNs() - ns) / (double) (System.nanoTime() - t);
    }

    private long aRunNs() {
        long sum = 0;
        for (VcpuThread v : aThreads) {
            sum += schedstat.read((int) a.pid(), v.threadId()).map(TaskSchedstat::runNs)
                    .orElseThrow(() -> new LabException("no schedstat for a's vCPU thread " + v.threadId()));
        }
        return sum;
    }

    /** b's job: two processes counting to {@link #jobIterations}; wall time seen from the host. */
    private double runJob() {
        String count = "i=0; while [ $i -lt " + jobIterations + " ]; do i=$((i+1)); done";
        long t0 = System.nanoTime();
        b.exec("for i in 1 2; do sh -c '" + count + "' burstjob & done; wait", T).requireOk();
        return (System.nanoTime() - t0) / 1e6;
    }
}
