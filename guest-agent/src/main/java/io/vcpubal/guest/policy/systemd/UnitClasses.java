package io.vcpubal.guest.policy.systemd;

import io.vcpubal.guest.policy.CgroupCpuFiles;
import io.vcpubal.guest.policy.ClassEnforcer;
import io.vcpubal.guest.policy.ClassSpec;
import io.vcpubal.guest.policy.ClassSpecs;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process classes on a guest run by systemd: a class is a unit ({@code unit=web.service}, a scope or a
 * slice), and its settings are the unit's resource-control properties, set with {@code systemctl
 * set-property --runtime} (CPUWeight= a number or {@code idle}, CPUQuota=). systemd keeps every process of
 * the unit, also those forked later, in the unit's cgroup, so a new process is in its class at once and the
 * agent never moves one: moving processes between cgroups behind systemd's back breaks its accounting and
 * its stop of the unit. Hence classes that match by comm, command line or cgroup path are refused here, each
 * with the reason (the others of the set apply); the agent's own unit is refused too.
 *
 * <p>Before it first changes a unit the agent records the unit's own CPUWeight and CPUQuota
 * ({@link UnitOriginals}); removing the class, the lease running out, the agent stopping and the next
 * agent's start after a crash put those back with set-property, so an operator's settings survive.
 *
 * <p>What the classes used is read from the units' cgroups ({@link CgroupCpuFiles}): usage and throttling
 * from cpu.stat, the settings the kernel got, and the processes in the unit and its sub-groups.
 */
public final class UnitClasses implements ClassEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(UnitClasses.class);
    /** Sub-groups of a unit counted for its processes (a slice's units, a delegated service's own groups). */
    static final int MAX_GROUPS_WALKED = 256;

    /** A class in force: its spec, the unit's cgroup, and the assignments last set. */
    private record InForce(ClassSpec spec, String cgroupPath, List<String> assignments) {}

    private final Systemctl systemctl;
    private final Path cgroupRoot;
    private final Path proc;
    private final UnitOriginals originals;
    private final String ownUnit;
    private final Clock clock;
    private List<InForce> inForce = List.of();
    private Set<String> populatedBefore = Set.of();
    private List<String> lastErrors = List.of();
    private Instant deadline;
    private boolean stopped;

    /**
     * @param root the filesystem root ({@code /proc} and the originals file are there)
     * @param cgroupRoot the cgroup v2 root systemd mounted
     * @param ownUnit the agent's own unit (never a class), empty when it does not run in one
     */
    public UnitClasses(Systemctl systemctl, Path root, Path cgroupRoot, String ownUnit, Clock clock) {
        this.systemctl = systemctl;
        this.cgroupRoot = cgroupRoot;
        this.proc = root.resolve("proc");
        this.originals = new UnitOriginals(root);
        this.ownUnit = ownUnit;
        this.clock = clock;
    }

    /** The unit a process runs in: the last component of its cgroup v2 path; empty when unknown. */
    public static String unitOf(Path proc, long pid) {
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/cgroup"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("0::")) {
                    String path = line.substring(3).strip();
                    return path.substring(path.lastIndexOf('/') + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or no cgroup v2
        }
        return "";
    }

    @Override
    public synchronized ProcessClassesResult apply(SetProcessClasses request) throws ClassSpecs.Refusal {
        ClassSpecs.Validated v = ClassSpecs.validate(request);
        if (stopped) {
            throw new ClassSpecs.Refusal("the agent is stopping; it sets no classes");
        }
        List<String> errors = new ArrayList<>();
        Map<String, InForce> before = new HashMap<>();
        inForce.forEach(c -> before.put(c.spec().rule().unit(), c));
        List<InForce> applied = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        List<ClassSpec> valid = new ArrayList<>();
        for (ClassSpec spec : v.classes()) {
            String why = refusal(spec, claimed);
            if (why != null) {
                errors.add("class '" + spec.name() + "' not applied: " + why);
            } else {
                claimed.add(spec.rule().unit());
                valid.add(spec);
            }
        }
        long t0 = System.nanoTime();
        // One show for every unit met for the first time: each systemctl call costs a process (~0.2 s under TCG).
        List<String> toShow = valid.stream().map(c -> c.rule().unit())
                .filter(u -> !(before.containsKey(u) && originals.has(u))).toList();
        Map<String, UnitProperties> shown = new HashMap<>();
        String showFailed = null;
        if (!toShow.isEmpty()) {
            try {
                UnitProperties.parseAll(toShow, systemctl.run(UnitProperties.showArgs(toShow)))
                        .forEach(p -> shown.put(p.unit(), p));
            } catch (IOException | RuntimeException e) {
                showFailed = e.getMessage();
            }
        }
        Set<String> units = new HashSet<>(); // those in force after this request
        for (ClassSpec spec : valid) {
            String unit = spec.rule().unit();
            try {
                if (showFailed != null && toShow.contains(unit)) {
                    throw new IOException(showFailed);
                }
                applied.add(applyOne(spec, before.get(unit), shown.get(unit)));
                units.add(unit);
            } catch (IOException | RuntimeException e) {
                errors.add("class '" + spec.name() + "' not applied: " + e.getMessage());
            }
        }
        // Units no longer a class's, and those whose class failed half-way, are put back.
        for (String unit : List.copyOf(originals.load().keySet())) {
            if (!units.contains(unit)) {
                restore(unit, errors);
            }
        }
        List<String> namesBefore = names();
        boolean changed = !applied.equals(inForce);
        inForce = List.copyOf(applied);
        // A new set or new errors are worth a line; a quota that moves (the host's idle-time plan) is not.
        boolean news = !names().equals(namesBefore) || !errors.equals(lastErrors);
        lastErrors = List.copyOf(errors);
        if (changed) {
            String line = "process classes (systemd units): {} in {} ms{}";
            Object[] args = {names(), (System.nanoTime() - t0) / 1_000_000, errors.isEmpty() ? "" : " (errors: " + errors + ")"};
            if (news) {
                LOG.info(line, args);
            } else {
                LOG.debug(line, args);
            }
        } else if (news && !errors.isEmpty()) {
            LOG.info("process classes (systemd units): {} (errors: {})", names(), errors);
        }
        deadline = inForce.isEmpty() ? null : clock.instant().plusMillis(v.leaseMs());
        ProcessClassesResult.Builder r = ProcessClassesResult.newBuilder().addAllClasses(statesNow())
                .setLeaseRemainingMs((int) Math.min(Integer.MAX_VALUE, remaining().orElse(0)));
        errors.stream().limit(Bounds.MAX_CLASSES).forEach(e -> r.addErrors(Bounds.clip(e, Bounds.MAX_ERROR_CHARS)));
        return r.build();
    }

    /** Why a class cannot be a unit's here; null when it can. */
    private String refusal(ClassSpec spec, Set<String> unitsSoFar) {
        var rule = spec.rule();
        if (!rule.comm().isEmpty() || !rule.cmdline().isEmpty() || !rule.cgroup().isEmpty() || rule.unit().isEmpty()) {
            return "systemd runs this guest, so a class is one unit (unit= alone): matching processes by comm,"
                    + " cmdline or cgroup would move them out of their units behind systemd's back";
        }
        String unit = rule.unit();
        if (!unit.matches("[A-Za-z0-9:_.\\\\@-]+\\.(service|scope|slice)") || unit.startsWith("-") && !unit.equals("-.slice")) {
            return "unit '" + unit + "' is not a service, scope or slice name";
        }
        if (unit.equals("-.slice") || unit.equals("init.scope")) {
            return "unit '" + unit + "' is the whole guest or systemd itself";
        }
        if (unit.equals(ownUnit)) {
            return "unit '" + unit + "' is the agent's own";
        }
        if (unitsSoFar.contains(unit)) {
            return "unit '" + unit + "' is another class's already";
        }
        return null;
    }

    /** @param shown what show said of the unit, when it is met for the first time */
    private InForce applyOne(ClassSpec spec, InForce was, UnitProperties shown) throws IOException {
        String unit = spec.rule().unit();
        List<String> assignments = UnitProperties.assignments(spec);
        String cgroupPath;
        if (was != null && originals.has(unit)) {
            if (was.assignments().equals(assignments)) {
                return new InForce(spec, was.cgroupPath(), assignments); // a renewal: nothing to write
            }
            cgroupPath = was.cgroupPath();
        } else {
            UnitProperties p = shown != null ? shown
                    : UnitProperties.parse(unit, systemctl.run(UnitProperties.showArgs(List.of(unit))));
            if (!p.loaded()) {
                throw new IOException("unit '" + unit + "' is not loaded (" + (p.loadState().isEmpty() ? "unknown"
                        : p.loadState()) + ")");
            }
            List<String> restore;
            try {
                restore = p.restoreAssignments();
            } catch (IllegalArgumentException e) {
                throw new IOException("unit '" + unit + "': its own CPUQuota cannot be read back: " + e.getMessage());
            }
            cgroupPath = p.cgroupPath();
            if (!originals.has(unit)) {
                originals.put(unit, restore); // on disk before the first change
                try {
                    setProperty(unit, assignments);
                } catch (IOException e) {
                    originals.remove(unit); // systemd applies a set-property whole or not at all: unchanged
                    throw e;
                }
                return new InForce(spec, cgroupPath, assignments);
            }
        }
        setProperty(unit, assignments);
        return new InForce(spec, cgroupPath, assignments);
    }

    private void setProperty(String unit, List<String> assignments) throws IOException {
        List<String> args = new ArrayList<>(List.of("set-property", "--runtime", "--", unit));
        args.addAll(assignments);
        systemctl.run(args);
    }

    /** Puts a unit back as it was and forgets it; a failure is reported and the record kept for the next try. */
    private void restore(String unit, List<String> errors) {
        List<String> back = originals.get(unit);
        if (back == null) {
            return;
        }
        try {
            setProperty(unit, back);
            originals.remove(unit);
        } catch (IOException e) {
            errors.add("unit '" + unit + "' not put back: " + e.getMessage());
        }
    }

    @Override
    public synchronized void scan() {
        if (deadline != null && !clock.instant().isBefore(deadline)) {
            LOG.warn("process class lease expired at {} without renewal; putting back units {}", deadline, units());
            removeAll();
        }
    }

    @Override
    public synchronized boolean woke() {
        Set<String> populated = new HashSet<>();
        for (InForce c : inForce) {
            if (processes(dir(c.cgroupPath())) > 0) {
                populated.add(c.spec().name());
            }
        }
        boolean woke = !populatedBefore.containsAll(populated);
        populatedBefore = populated;
        return woke;
    }

    @Override
    public synchronized List<ClassState> states() {
        return statesNow();
    }

    @Override
    public long totalUsageUs() {
        return CgroupCpuFiles.usageUs(cgroupRoot);
    }

    /** The class whose unit's cgroup holds the process (the innermost, when a slice and a unit in it are both). */
    @Override
    public synchronized Optional<String> classOf(int pid) {
        if (inForce.isEmpty()) {
            return Optional.empty();
        }
        String path = cgroupOf(pid);
        String best = null;
        int bestLength = -1;
        for (InForce c : inForce) {
            String g = c.cgroupPath();
            if ((path.equals(g) || path.startsWith(g.endsWith("/") ? g : g + "/")) && g.length() > bestLength) {
                best = c.spec().name();
                bestLength = g.length();
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public synchronized OptionalLong millisUntilExpiry() {
        return remaining();
    }

    @Override
    public synchronized List<String> removeLeftovers() {
        List<String> left = List.copyOf(originals.load().keySet());
        List<String> errors = new ArrayList<>();
        left.forEach(u -> restore(u, errors));
        if (!left.isEmpty()) {
            LOG.warn("units {} kept the settings of a previous run's classes; put back{}", left,
                    errors.isEmpty() ? "" : " (" + errors + ")");
        }
        return left;
    }

    @Override
    public synchronized void removeAllAndStop() {
        stopped = true;
        if (!inForce.isEmpty()) {
            LOG.info("stopping: putting back units {}", units());
        }
        removeAll();
    }

    private void removeAll() {
        List<String> errors = new ArrayList<>();
        for (String unit : List.copyOf(originals.load().keySet())) {
            restore(unit, errors);
        }
        if (!errors.isEmpty()) {
            LOG.warn("putting back units: {}", errors);
        }
        inForce = List.of();
        deadline = null;
    }

    private List<ClassState> statesNow() {
        List<ClassState> out = new ArrayList<>();
        for (InForce c : inForce) {
            Path d = dir(c.cgroupPath());
            out.add(CgroupCpuFiles.state(c.spec().name(), d, processes(d)));
        }
        return out;
    }

    private Path dir(String cgroupPath) {
        String rel = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return rel.isEmpty() ? cgroupRoot : cgroupRoot.resolve(rel);
    }

    /** Processes in the group and its sub-groups, walking at most {@link #MAX_GROUPS_WALKED} groups. */
    static int processes(Path group) {
        int n = 0;
        int walked = 0;
        ArrayDeque<Path> todo = new ArrayDeque<>(List.of(group));
        while (!todo.isEmpty() && walked++ < MAX_GROUPS_WALKED) {
            Path g = todo.poll();
            n += CgroupCpuFiles.procs(g).size();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(g, Files::isDirectory)) {
                children.forEach(todo::add);
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or not a group
            }
        }
        return n;
    }

    private String cgroupOf(int pid) {
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/cgroup"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("0::")) {
                    return line.substring(3).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited
        }
        return "";
    }

    private OptionalLong remaining() {
        if (deadline == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()));
    }

    private List<String> names() {
        return inForce.stream().map(c -> c.spec().name() + "=" + c.spec().rule().unit()).toList();
    }

    private List<String> units() {
        return inForce.stream().map(c -> c.spec().rule().unit()).toList();
    }
}
