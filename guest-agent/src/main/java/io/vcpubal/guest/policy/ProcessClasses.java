package io.vcpubal.guest.policy;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process classes in force and the loop that keeps every process in its class.
 *
 * <p>{@link #apply} carries out a SetProcessClasses: refused whole before any write when invalid, else
 * classes not listed are removed, the listed ones made or updated (one that fails is reported and left out,
 * the others apply), then every process is classified at once. {@link #scan}, on the agent's timer every
 * quarter report period, classifies the processes started since: it lists {@code /proc} and reads each class
 * group's {@code cgroup.procs}, and reads the identity only of pids it has not seen, or whose group is not
 * the one it put them in (a pid reused within a period, a child of a classified process, a process someone
 * else moved). A steady guest costs one listing and one small read per class.
 *
 * <p>A process's class is decided when the agent first sees it, once more at the first pass at least
 * {@link #SETTLE} later, and again whenever the host changes the set. The second look is for fork-then-exec:
 * a child seen between the two still carries its parent's command line (a shell's child that execs
 * {@code sh -c '…' batchjob} was seen as the shell and left unclassified). An exec later than that is not
 * noticed; it would cost a read of every process every period. The rule's cgroup and unit look at the
 * group the process was in when the agent found it (its origin), which is also where it goes back when its
 * class goes or stops matching: to the fence's group instead when the origin is the root or gone, so a
 * fenced guest stays fenced. Kernel threads and the agent's own process are never classified.
 *
 * <p>The lease: a non-empty set holds until lease_ms after the last SetProcessClasses; sending the same set
 * again renews it. When it runs out every class is removed. The check runs with the scan, so the classes
 * go at most one scan period after the deadline. The clock is {@link io.vcpubal.guest.lease.MonotonicClock}
 * in the agent (a stepped wall clock must not move the deadline), a fake in tests.
 */
public final class ProcessClasses implements ClassEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessClasses.class);

    /**
     * What the agent knows of a pid.
     *
     * @param origin the cgroup path it was found in ("/" when it was found in a class group of unknown origin)
     * @param className its class, null when none (also when moving it failed: not retried for this process)
     * @param never a kernel thread or the agent itself
     * @param firstSeen when the agent first read this process
     * @param settled read at least {@link #SETTLE} after {@code firstSeen}: its exec, if any, is behind it
     */
    private record Seen(long startTicks, String origin, String className, boolean never, Instant firstSeen,
            boolean settled) {}

    /** Far longer than a fork-to-exec gap, even under TCG; a pass sooner than this reads the process again. */
    static final Duration SETTLE = Duration.ofMillis(500);

    private final ClassGroups groups;
    private final IdentityReader identities;
    private final Path proc;
    private final int selfPid;
    private final Clock clock;
    private List<ClassSpec> inForce = List.of();
    /** The classes that had processes at the last {@link #woke} call. */
    private Set<String> populatedBefore = Set.of();
    private final Map<Integer, Seen> seen = new HashMap<>();
    private Instant deadline;
    private boolean stopped;

    /**
     * @param root the filesystem root ({@code /proc} is listed there)
     * @param selfPid the agent's pid, never classified
     */
    public ProcessClasses(ClassGroups groups, IdentityReader identities, Path root, int selfPid, Clock clock) {
        this.groups = groups;
        this.identities = identities;
        this.proc = root.resolve("proc");
        this.selfPid = selfPid;
        this.clock = clock;
    }

    /**
     * Carries out a SetProcessClasses.
     *
     * @throws ClassSpecs.Refusal when the request is invalid or the agent is stopping; nothing changed then
     */
    @Override
    public synchronized ProcessClassesResult apply(SetProcessClasses request) throws ClassSpecs.Refusal {
        ClassSpecs.Validated v = ClassSpecs.validate(request);
        if (stopped) {
            throw new ClassSpecs.Refusal("the agent is stopping; it sets no classes");
        }
        List<String> errors = new ArrayList<>();
        if (v.classes().equals(inForce)) {
            classifyNew(); // a renewal: the groups are right, only the lease moves
        } else {
            Set<String> wanted = new HashSet<>();
            v.classes().forEach(c -> wanted.add(c.name()));
            for (ClassSpec old : inForce) {
                if (!wanted.contains(old.name())) {
                    removeClass(old.name(), errors);
                }
            }
            List<ClassSpec> applied = new ArrayList<>();
            for (ClassSpec spec : v.classes()) {
                try {
                    groups.apply(spec);
                    applied.add(spec);
                } catch (IOException e) {
                    errors.add("class '" + spec.name() + "' not applied: " + e.getMessage());
                    removeClass(spec.name(), errors); // a class is in force whole or not at all
                }
            }
            inForce = List.copyOf(applied);
            reclassifyAll();
            LOG.info("process classes: {}{}", names(), errors.isEmpty() ? "" : " (errors: " + errors + ")");
        }
        deadline = inForce.isEmpty() ? null : clock.instant().plusMillis(v.leaseMs());
        if (inForce.isEmpty()) {
            seen.clear();
        }
        ProcessClassesResult.Builder r = ProcessClassesResult.newBuilder().addAllClasses(statesNow())
                .setLeaseRemainingMs((int) Math.min(Integer.MAX_VALUE, remaining().orElse(0)));
        errors.stream().limit(Bounds.MAX_CLASSES).forEach(e -> r.addErrors(Bounds.clip(e, Bounds.MAX_ERROR_CHARS)));
        return r.build();
    }

    /** Every report period: ends an expired lease, else classifies the processes started since. */
    @Override
    public synchronized void scan() {
        if (deadline != null && !clock.instant().isBefore(deadline)) {
            LOG.warn("process class lease expired at {} without renewal; removing classes {}", deadline, names());
            removeAll();
            return;
        }
        if (!inForce.isEmpty()) {
            classifyNew();
        }
    }

    /**
     * Whether a class that had no process at the last call has one now: the agent then reports at once rather
     * than at the end of the period, so the host sees a high class wake within a scan period.
     */
    @Override
    public synchronized boolean woke() {
        Set<String> populated = new HashSet<>();
        for (ClassSpec c : inForce) {
            if (!groups.procs(groups.group(c.name())).isEmpty()) {
                populated.add(c.name());
            }
        }
        boolean woke = !populatedBefore.containsAll(populated);
        populatedBefore = populated;
        return woke;
    }

    /** The classes in force as the kernel has them, in the host's order (GuestFacts.classes). */
    @Override
    public synchronized List<ClassState> states() {
        return statesNow();
    }

    /** Every task's CPU time, reported beside the classes so the host can tell the unmatched processes' use. */
    @Override
    public long totalUsageUs() {
        return groups.rootUsageUs();
    }

    /** The class the agent put {@code pid} in; empty when none. */
    @Override
    public synchronized Optional<String> classOf(int pid) {
        Seen s = seen.get(pid);
        return s == null ? Optional.empty() : Optional.ofNullable(s.className());
    }

    /** Milliseconds until the class lease runs out; empty when no class is in force. */
    @Override
    public synchronized OptionalLong millisUntilExpiry() {
        return remaining();
    }

    /**
     * Agent start: removes the class groups a previous run left (it died without undoing them); their
     * processes go to the rest of the guest, since where they came from died with that run.
     *
     * @return the names of the classes removed
     */
    @Override
    public synchronized List<String> removeLeftovers() {
        List<String> left = groups.existing();
        List<String> errors = new ArrayList<>();
        for (String name : left) {
            removeClass(name, errors);
        }
        if (!left.isEmpty()) {
            LOG.warn("process classes {} were left by a previous run; removed, their processes moved to {}{}", left,
                    groups.rest(), errors.isEmpty() ? "" : " (" + errors + ")");
        }
        return left;
    }

    /** Agent stop: removes every class and refuses later requests. */
    @Override
    public synchronized void removeAllAndStop() {
        stopped = true;
        if (!inForce.isEmpty()) {
            LOG.info("stopping: removing process classes {}", names());
        }
        removeAll();
    }

    private void removeAll() {
        List<String> errors = new ArrayList<>();
        for (ClassSpec c : inForce) {
            removeClass(c.name(), errors);
        }
        if (!errors.isEmpty()) {
            LOG.warn("removing process classes: {}", errors);
        }
        inForce = List.of();
        deadline = null;
        seen.clear();
    }

    /** Moves the group's processes back and removes it; a process forking meanwhile gets two more tries. */
    private void removeClass(String name, List<String> errors) {
        Path g = groups.group(name);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            for (int pid : groups.procs(g)) {
                Seen s = seen.get(pid);
                try {
                    groups.move(pid, destination(s == null ? "/" : s.origin()));
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
            try {
                groups.rmdir(name);
                seen.replaceAll((pid, s) -> name.equals(s.className())
                        ? new Seen(s.startTicks(), s.origin(), null, false, s.firstSeen(), s.settled()) : s);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        errors.add("class '" + name + "': group " + g.getFileName() + " not removed: " + last.getMessage());
    }

    /** Where a process of this origin goes when it leaves its class. */
    private Path destination(String origin) {
        if (origin.equals("/") || origin.isEmpty() || ClassGroups.isClassPath(origin)) {
            return groups.rest();
        }
        Path p = groups.resolve(origin);
        return Files.isDirectory(p) ? p : groups.rest();
    }

    /** After a change of the set: every process decided again from a fresh read (origins are kept). */
    private void reclassifyAll() {
        Set<Integer> present = listPids();
        seen.keySet().retainAll(present);
        for (int pid : present) {
            Seen before = seen.remove(pid);
            classify(pid, before);
        }
    }

    /** The periodic pass: only pids not seen yet, not settled yet, or not in the group the agent put them in. */
    private void classifyNew() {
        Set<Integer> present = listPids();
        seen.keySet().retainAll(present);
        Map<Integer, String> where = new HashMap<>();
        for (ClassSpec c : inForce) {
            for (int pid : groups.procs(groups.group(c.name()))) {
                where.put(pid, c.name());
            }
        }
        for (int pid : present) {
            Seen s = seen.get(pid);
            if (s != null && (s.never() || s.settled() && Objects.equals(s.className(), where.get(pid)))) {
                continue;
            }
            seen.remove(pid);
            // A known pid in an unexpected group keeps its origin when it is still the same process.
            classify(pid, s);
        }
    }

    private void classify(int pid, Seen before) {
        Optional<ProcessIdentity> read = identities.read(pid);
        if (read.isEmpty()) {
            return; // exited
        }
        ProcessIdentity p = read.get();
        Instant now = clock.instant();
        if (p.kernelThread() || pid == selfPid) {
            seen.put(pid, new Seen(p.startTicks(), p.cgroup(), null, true, now, true));
            return;
        }
        boolean same = before != null && before.startTicks() == p.startTicks() && !before.never();
        Instant firstSeen = same ? before.firstSeen() : now;
        String origin;
        if (same) {
            origin = before.origin();
        } else if (ClassGroups.isClassPath(p.cgroup())) {
            // Forked by a classified process: it came from where its parent came from.
            Seen parent = seen.get(p.ppid());
            origin = parent != null && !parent.never() ? parent.origin() : "/";
        } else {
            origin = p.cgroup();
        }
        String className = null;
        for (ClassSpec c : inForce) {
            if (c.rule().matches(p, origin)) {
                className = c.name();
                break;
            }
        }
        String current = p.cgroup();
        try {
            if (className != null && !current.equals("/" + ClassGroups.PREFIX + className)) {
                groups.move(pid, groups.group(className));
            } else if (className == null && ClassGroups.isClassPath(current)) {
                groups.move(pid, destination(origin));
            }
        } catch (IOException e) {
            // Exited (ESRCH), or the kernel keeps it where it is: report it unclassified, do not retry it.
            LOG.debug("pid {} stays in {}: {}", pid, current, e.getMessage());
            className = null;
        }
        seen.put(pid, new Seen(p.startTicks(), origin, className, false, firstSeen,
                !now.isBefore(firstSeen.plus(SETTLE))));
    }

    private Set<Integer> listPids() {
        Set<Integer> pids = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path e : entries) {
                String n = e.getFileName().toString();
                if (!n.isEmpty() && n.length() <= 9 && n.chars().allMatch(Character::isDigit)) {
                    pids.add(Integer.parseInt(n)); // pid_max is at most 2^22
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot list {}: {}", proc, e.toString());
        }
        return pids;
    }

    private List<ClassState> statesNow() {
        return inForce.stream().map(c -> groups.state(c.name())).toList();
    }

    private OptionalLong remaining() {
        if (deadline == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()));
    }

    private List<String> names() {
        return inForce.stream().map(ClassSpec::name).toList();
    }
}
