package io.vcpubal.host.accounting;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.GuestFacts;
import io.vcpubal.protocol.v1.ProcessCpu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The busiest processes and classes of every VM, guest-view and host-true, fed with each guest report and a
 * host sample of that VM's vCPU threads taken when it arrived. Thread-safe: fed on the agent links' loop, read
 * by control requests.
 *
 * <p>Rows cover one interval per VM: from the report that brought the previous process list to the one that
 * brings a new list (the agent samples processes every few seconds and repeats the list in between, so only a
 * changed list is a new sample), or at most {@code maxInterval} (an unchanged list that long is idle, not
 * repeated). The first rows of a VM come with its second new list. Over that interval:
 * <ul>
 *   <li>a process's guest view is the growth of its {@code on_cpu_ns} when it was in both lists under the same
 *       pid and name; else (new to the list, no schedstat in the guest, a reused pid) its
 *       {@code cpu_ms_last_period} over the interval, which is about the agent's process period;</li>
 *   <li>a class's guest view is the growth of its cgroup {@code usage_us}; unknown for a class new or reset;</li>
 *   <li>host-true is guest view × the VM's factor over the same interval ({@link HostTrue}).</li>
 * </ul>
 * The guest is untrusted: names are cut to the protocol's bounds and control characters replaced (they end up
 * on an operator's terminal), a row is at most every online CPU, and a VM's processes together are scaled down
 * to what the host ran its vCPUs if their host-true figures add up to more.
 */
public final class ProcessTable {
    public static final int DEFAULT_ROWS_PER_VM = Bounds.MAX_PROCESSES;
    public static final int DEFAULT_ROWS_IN_ALL = 256;
    public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(30);
    /** A VM whose last report is older than this many report periods (and 10 s) shows no rows: they are stale. */
    static final int STALE_PERIODS = 3;
    static final long MIN_STALE_NS = Duration.ofSeconds(10).toNanos();

    private final int rowsPerVm;
    private final int rowsInAll;
    private final long maxIntervalNs;
    private final Map<String, VmRows> vms = new LinkedHashMap<>();

    public ProcessTable() {
        this(DEFAULT_ROWS_PER_VM, DEFAULT_ROWS_IN_ALL, DEFAULT_MAX_INTERVAL);
    }

    public ProcessTable(int rowsPerVm, int rowsInAll, Duration maxInterval) {
        if (rowsPerVm < 1 || rowsInAll < 1 || maxInterval.isNegative() || maxInterval.isZero()) {
            throw new IllegalArgumentException("rows and interval must be positive");
        }
        this.rowsPerVm = rowsPerVm;
        this.rowsInAll = rowsInAll;
        this.maxIntervalNs = maxInterval.toNanos();
    }

    /** One point of a VM: a guest report and what the host saw of its vCPUs then (null = unknown). */
    private record Point(GuestFacts facts, HostVcpuSample host, long atNanos) {}

    private static final class VmRows {
        Point last;
        Point base;
        /**
         * The base is a report that brought a new list. Otherwise (the first report, or after a reset or an idle
         * close) its list was sampled up to a process period before it, so the next list's growth would be
         * divided by too short an interval: that list only becomes the base.
         */
        boolean aligned;
        HostTrue.Interval latest;
        TopView.VmRow vm;
        List<TopView.ProcessRow> processes = List.of();
        List<TopView.ClassRow> classes = List.of();
    }

    /**
     * One report of {@code vm} arrived at {@code nowNanos}, with {@code host} sampled then (null when its vCPU
     * threads could not be read).
     */
    public synchronized void offer(String vm, GuestFacts facts, HostVcpuSample host, long nowNanos) {
        VmRows r = vms.computeIfAbsent(vm, k -> new VmRows());
        Point p = new Point(facts, host, nowNanos);
        if (r.last != null) {
            long step = facts.getMonotonicNs() - r.last.facts().getMonotonicNs();
            if (step == 0) {
                return; // the same report again
            }
            if (step < 0) {
                // the guest's clock restarted (reboot): nothing before compares with what follows
                r.base = null;
                r.latest = null;
                r.processes = List.of();
                r.classes = List.of();
                r.vm = null;
            } else {
                r.latest = HostTrue.between(r.last.facts(), r.last.host(), facts, host).orElse(null);
            }
        }
        r.last = p;
        if (r.base == null) {
            r.base = p;
            r.aligned = false;
            return;
        }
        boolean newList = !r.base.facts().getProcessesList().equals(facts.getProcessesList());
        if (!newList && nowNanos - r.base.atNanos() < maxIntervalNs) {
            return;
        }
        // an unchanged list that long is idle: its rows are 0 whatever the alignment
        Optional<HostTrue.Interval> iv = HostTrue.between(r.base.facts(), r.base.host(), facts, host);
        if (iv.isPresent() && (r.aligned || !newList)) {
            rows(vm, r, r.base.facts(), facts, iv.get());
        }
        r.base = p;
        r.aligned = newList;
    }

    /** Forgets a VM the daemon no longer manages. */
    public synchronized void forget(String vm) {
        vms.remove(vm);
    }

    /** The last report interval of {@code vm} (factor, host run, want), empty before two reports. */
    public synchronized Optional<HostTrue.Interval> latest(String vm) {
        VmRows r = vms.get(vm);
        return r == null ? Optional.empty() : Optional.ofNullable(r.latest);
    }

    /** At most {@code maxRows} processes, as many classes and as many VMs, busiest first; stale VMs left out. */
    public synchronized TopView top(int maxRows, long nowNanos) {
        int limit = Math.max(1, Math.min(maxRows, rowsInAll));
        List<TopView.VmRow> vmRows = new ArrayList<>();
        List<TopView.ProcessRow> processes = new ArrayList<>();
        List<TopView.ClassRow> classes = new ArrayList<>();
        for (VmRows r : vms.values()) {
            if (r.vm == null || stale(r, nowNanos)) {
                continue;
            }
            vmRows.add(r.vm);
            processes.addAll(r.processes);
            classes.addAll(r.classes);
        }
        processes.sort(BUSIEST);
        classes.sort(BUSIEST_CLASS);
        vmRows.sort(BUSIEST_VM);
        return new TopView(vmRows.subList(0, Math.min(limit, vmRows.size())),
                processes.subList(0, Math.min(limit, processes.size())),
                classes.subList(0, Math.min(limit, classes.size())));
    }

    private static boolean stale(VmRows r, long nowNanos) {
        long period = Math.max(Bounds.MIN_PERIOD_MS, Math.min(Bounds.MAX_PERIOD_MS, r.last.facts().getPeriodMs()));
        return nowNanos - r.last.atNanos() > Math.max(MIN_STALE_NS, STALE_PERIODS * period * 1_000_000L);
    }

    /** Host-true first (what the VM's processes really cost the host); guest view where host-true is unknown. */
    static final Comparator<TopView.ProcessRow> BUSIEST = Comparator
            .comparingDouble((TopView.ProcessRow p) -> -key(p.hostPercent(), p.guestPercent()))
            .thenComparing(TopView.ProcessRow::vm).thenComparingInt(TopView.ProcessRow::pid);
    static final Comparator<TopView.ClassRow> BUSIEST_CLASS = Comparator
            .comparingDouble((TopView.ClassRow c) -> -key(c.hostPercent(), c.guestPercent()))
            .thenComparing(TopView.ClassRow::vm).thenComparing(TopView.ClassRow::className);

    static final Comparator<TopView.VmRow> BUSIEST_VM = Comparator
            .comparingDouble((TopView.VmRow v) -> -key(v.hostRunPercent(), v.guestBusyPercent()))
            .thenComparing(TopView.VmRow::vm);

    private static double key(double host, double guest) {
        return host >= 0 ? host : guest;
    }

    private void rows(String vm, VmRows r, GuestFacts before, GuestFacts after, HostTrue.Interval iv) {
        double elapsed = iv.elapsedNs();
        int online = onlineCpus(after);
        Map<String, Long> onCpuBefore = new HashMap<>();
        for (ProcessCpu p : bounded(before.getProcessesList(), Bounds.MAX_PROCESSES)) {
            onCpuBefore.putIfAbsent(p.getPid() + "/" + p.getName(), p.getOnCpuNs());
        }
        List<TopView.ProcessRow> processes = new ArrayList<>();
        for (ProcessCpu p : bounded(after.getProcessesList(), Bounds.MAX_PROCESSES)) {
            Long then = onCpuBefore.get(p.getPid() + "/" + p.getName());
            double cpus;
            if (then != null && then > 0 && p.getOnCpuNs() >= then) {
                cpus = (p.getOnCpuNs() - then) / elapsed;
            } else {
                cpus = p.getCpuMsLastPeriod() * 1e6 / elapsed;
            }
            double guest = 100 * Math.min(online, cpus);
            processes.add(new TopView.ProcessRow(vm, p.getPid(), printable(p.getName(), Bounds.MAX_PROCESS_NAME_CHARS),
                    className(p.getClassName()), guest, HostTrue.hostTrue(guest, iv.factor())));
        }
        processes = capToHostRun(processes, iv.hostRunCpus());
        processes.sort(BUSIEST);
        r.processes = List.copyOf(processes.subList(0, Math.min(rowsPerVm, processes.size())));

        Map<String, Long> usageBefore = new HashMap<>();
        for (ClassState c : bounded(before.getClassesList(), Bounds.MAX_CLASSES)) {
            usageBefore.putIfAbsent(c.getName(), c.getUsageUs());
        }
        List<TopView.ClassRow> classes = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (ClassState c : bounded(after.getClassesList(), Bounds.MAX_CLASSES)) {
            if (seen.put(c.getName(), true) != null) {
                continue;
            }
            Long then = usageBefore.get(c.getName());
            double guest = then == null || c.getUsageUs() < then ? -1
                    : 100 * Math.min(online, (c.getUsageUs() - then) * 1e3 / elapsed);
            classes.add(new TopView.ClassRow(vm, className(c.getName()), guest, HostTrue.hostTrue(guest, iv.factor())));
        }
        classes.sort(BUSIEST_CLASS);
        r.classes = List.copyOf(classes);
        r.vm = new TopView.VmRow(vm, iv.guestBusyCpus() < 0 ? -1 : 100 * iv.guestBusyCpus(),
                iv.hostRunCpus() < 0 ? -1 : 100 * iv.hostRunCpus(), iv.factor(),
                r.latest == null ? -1 : r.latest.wantCpus(), Math.round(elapsed / 1e6));
    }

    /**
     * The VM's processes together cannot have run more than its vCPU threads did; when their host-true figures
     * add up to more (the guest overstates, or a list lags its interval), all are scaled down alike.
     */
    private static List<TopView.ProcessRow> capToHostRun(List<TopView.ProcessRow> rows, double hostRunCpus) {
        double sum = rows.stream().mapToDouble(TopView.ProcessRow::hostPercent).filter(h -> h > 0).sum();
        double cap = 100 * hostRunCpus;
        if (hostRunCpus < 0 || sum <= cap) {
            return rows;
        }
        double scale = cap / sum;
        List<TopView.ProcessRow> out = new ArrayList<>();
        for (TopView.ProcessRow p : rows) {
            out.add(new TopView.ProcessRow(p.vm(), p.pid(), p.name(), p.className(), p.guestPercent(),
                    p.hostPercent() < 0 ? p.hostPercent() : p.hostPercent() * scale));
        }
        return out;
    }

    private static int onlineCpus(GuestFacts f) {
        int n = CpuSet.tryParse(f.getOnlineCpus()).map(CpuSet::size).orElse(f.getCpuTicksCount());
        return Math.max(1, Math.min(Bounds.MAX_CPU + 1, n));
    }

    private static <T> List<T> bounded(List<T> list, int max) {
        return list.size() <= max ? list : list.subList(0, max);
    }

    static String className(String name) {
        return name.isEmpty() ? "-" : printable(name, Bounds.MAX_CLASS_NAME_CHARS);
    }

    /** At most {@code max} characters, control and format characters (terminal escapes, bidi overrides) as '?'. */
    static String printable(String s, int max) {
        String clipped = Bounds.clip(s, max);
        StringBuilder b = new StringBuilder(clipped.length());
        clipped.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean bad = Character.isISOControl(c) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
            b.appendCodePoint(bad ? '?' : c);
        });
        return b.toString();
    }
}
