package io.vcpubal.guest.fence;

import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence on a guest without systemd: one cgroup v2 group of the agent's, {@value #GROUP} under the
 * hierarchy's root, holding every process of the guest, with {@code cpuset.cpus} set to the kept CPUs.
 *
 * <p>Why a cpuset and not each task's affinity: the kernel applies one write to every task of the group and
 * to every task forked later, and a task cannot widen its own affinity past it; affinity calls would be one
 * syscall per task, miss tasks racing with the sweep, and lose the tasks' own masks. Why one group: the
 * root cgroup cannot be restricted, and a guest without systemd has no other structure to respect. Interrupts
 * ({@link IrqAffinity}) and unbound workqueues ({@link WorkqueueMask}) are steered off the fenced CPUs too.
 * Per-CPU kernel threads stay: they run only for work queued on their CPU (timers, RCU callbacks, per-CPU
 * workqueue items), which is what the lab's interrupt count of a fenced CPU measures. Unbound kernel threads
 * outside workqueues (kswapd, khugepaged) stay in the root cgroup and may run there, rarely.
 *
 * <p>What the answer waits for is what confines the guest: the {@code cpuset.cpus} write (and, on the first
 * fence, moving the processes into the group). Steering interrupts and unbound work and sweeping up processes
 * the kernel started in the root since (usermode helpers) follow right after on the steering executor,
 * coalesced to the latest fence: under TCG the ~20 IRQ writes alone cost several times the cpuset write,
 * and a device interrupt landing on a fenced CPU for a few more milliseconds costs one wake-up, not
 * correctness. {@link #dismantle} finishes any pending steering first.
 *
 * <p>Unfencing writes every possible CPU into {@code cpuset.cpus} (the kernel refuses to empty the cpuset
 * of a populated group with ENOSPC, and CPUs hotplugged later must be usable at once); the processes stay
 * in the group, which costs nothing, until {@link #dismantle} moves them back and removes it.
 *
 * <p>Process classes ({@code io.vcpubal.guest.policy}) put processes into groups of their own,
 * {@value #CLASS_PREFIX}NAME, siblings of {@value #GROUP}: a process moved there would leave the kept cpuset.
 * So every write of the kept set goes to those groups too, and a class group made later copies the kept set
 * through {@link #confine} before a process enters it. The root sweep never touches class groups: it only
 * reads the root's {@code cgroup.procs}.
 */
public final class CgroupFence implements CpuFence {
    public static final String GROUP = "vcpubal.kept";
    /** Groups of the agent's, besides {@value #GROUP}, that carry the kept set too (process classes). */
    public static final String CLASS_PREFIX = "vcpubal.class.";
    private static final Logger LOG = LoggerFactory.getLogger(CgroupFence.class);

    private final Path cgroupRoot;
    private final Path group;
    private final CpuSysfs.OnlineWriter writer;
    private final RootCgroupTasks tasks;
    private final IrqAffinity irqs;
    private final WorkqueueMask workqueues;
    private final Supplier<CpuSet> possible;
    private final Executor steering;
    /** The steering the last fence change asks for; replaced, not queued, when changes come faster. */
    private final AtomicReference<Steer> pending = new AtomicReference<>();
    private final Object steerLock = new Object();
    private boolean swept;
    private boolean fencedHere;
    private SteeringReport lastSteering;

    /**
     * An unfence ({@code kept} empty) restores; {@code recovering}: the fence was a previous agent's; {@code sweep}:
     * look for processes that landed in the root cgroup since the last sweep.
     */
    private record Steer(CpuSet kept, CpuSet online, boolean recovering, boolean sweep) {}

    /** Steers inline, before {@link #set} returns (tests). */
    public CgroupFence(Path cgroupRoot, Path root, CpuSysfs.OnlineWriter writer, Supplier<CpuSet> possible) {
        this(cgroupRoot, root, writer, possible, Runnable::run);
    }

    /**
     * @param cgroupRoot the mounted cgroup v2 root, with {@code cpuset} among its {@code cgroup.controllers}
     * @param root       the filesystem root, for {@code proc/irq}, {@code proc/PID/stat} and the workqueue mask
     * @param possible   the guest's possible CPUs (the workqueue mask after a crash)
     * @param steering   runs the steering that follows a fence change (one thread is enough: it coalesces)
     */
    public CgroupFence(Path cgroupRoot, Path root, CpuSysfs.OnlineWriter writer, Supplier<CpuSet> possible,
                       Executor steering) {
        this.cgroupRoot = cgroupRoot;
        this.group = cgroupRoot.resolve(GROUP);
        this.writer = writer;
        this.tasks = new RootCgroupTasks(cgroupRoot, root, writer);
        this.irqs = new IrqAffinity(root, writer);
        this.workqueues = new WorkqueueMask(root, writer);
        this.possible = possible;
        this.steering = steering;
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }

    @Override
    public CpuSet fenced(CpuSet online) throws IOException {
        CpuSet kept = kept();
        return kept.isEmpty() ? CpuSet.empty() : online.minus(kept);
    }

    /** The group's {@code cpuset.cpus}; empty when there is no group or it is empty (all of the parent's). */
    private CpuSet kept() throws IOException {
        Path cpus = group.resolve("cpuset.cpus");
        if (!Files.exists(cpus)) {
            return CpuSet.empty();
        }
        try {
            return CpuSet.parse(Files.readString(cpus, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("EIO: " + cpus + " holds no cpulist: " + e.getMessage());
        }
    }

    @Override
    public synchronized FenceReport set(CpuSet fenced, CpuSet online) throws IOException {
        long t0 = System.nanoTime();
        if (fenced.isEmpty()) {
            // Narrower than every CPU also when the fenced CPUs went offline since: they must come back usable.
            CpuSet all = possible.get().union(online);
            CpuSet kept = kept();
            boolean narrow = !kept.isEmpty() && !kept.containsAll(all);
            if (narrow) {
                writer.write(group.resolve("cpuset.cpus"), all.toString());
                confineClassGroups(all);
            }
            long t1 = System.nanoTime();
            if (narrow || fencedHere) {
                steerLater(new Steer(CpuSet.empty(), online, narrow && !fencedHere, false));
            }
            return new FenceReport(0, 0, micros(t0, t1));
        }
        CpuSet kept = online.minus(fenced);
        if (kept.isEmpty()) {
            throw new IOException("EINVAL: fencing " + fenced + " would leave no CPU of " + online);
        }
        int moved = 0;
        boolean sweptNow = !swept;
        if (sweptNow) {
            // The first fence confines every process before it answers; later ones sweep afterwards.
            ensureGroup();
            moved = tasks.moveInto(group);
            swept = true;
        }
        long t1 = System.nanoTime();
        writer.write(group.resolve("cpuset.cpus"), kept.toString());
        confineClassGroups(kept);
        long t2 = System.nanoTime();
        fencedHere = true;
        steerLater(new Steer(kept, online, false, !sweptNow));
        return new FenceReport(moved, micros(t0, t1), micros(t1, t2));
    }

    private void steerLater(Steer steer) {
        pending.set(steer);
        steering.execute(this::steerPending);
    }

    /** Carries out the latest pending steering, if any. */
    private void steerPending() {
        synchronized (steerLock) {
            Steer s = pending.getAndSet(null);
            if (s == null) {
                return;
            }
            long t0 = System.nanoTime();
            long t1 = t0;
            long t2 = t0;
            int moved = 0;
            IrqAffinity.Steering irq = new IrqAffinity.Steering(0, List.of());
            String failure = "";
            try {
                if (s.kept().isEmpty()) {
                    t1 = System.nanoTime();
                    irqs.restore(s.online(), s.recovering());
                    t2 = System.nanoTime();
                    workqueues.restore(possible.get(), s.recovering());
                } else {
                    moved = s.sweep() ? tasks.moveInto(group) : 0;
                    t1 = System.nanoTime();
                    irq = irqs.steer(s.kept());
                    t2 = System.nanoTime();
                    workqueues.steer(s.kept());
                }
            } catch (IOException e) {
                failure = "steering failed: " + e.getMessage();
            }
            long t3 = System.nanoTime();
            SteeringReport r = new SteeringReport(s.kept(), moved, irq.steered(), irq.refused(),
                    new long[] {micros(t0, t1), micros(t1, t2), micros(t2, t3)}, failure);
            lastSteering = r;
            if (failure.isEmpty()) {
                LOG.debug("fence {}", r.timing());
            } else {
                LOG.warn("fence {}", r.timing());
            }
        }
    }

    /** The last steering carried out; null before the first. */
    SteeringReport lastSteering() {
        synchronized (steerLock) {
            return lastSteering;
        }
    }

    private static long micros(long from, long to) {
        return (to - from) / 1_000;
    }

    /**
     * Copies the kept set into {@code classGroup} (a new {@value #CLASS_PREFIX} group, before any process enters
     * it); nothing when the guest was never fenced. Under the fence's lock, so a fence change cannot slip
     * between reading the kept set and writing it.
     */
    @Override
    public synchronized void confine(Path classGroup) throws IOException {
        CpuSet kept = kept();
        if (kept.isEmpty()) {
            return;
        }
        enableCpuset();
        writer.write(classGroup.resolve("cpuset.cpus"), kept.toString());
    }

    /** Writes {@code cpus} to every class group; tries them all, then fails naming those that refused. */
    private void confineClassGroups(CpuSet cpus) throws IOException {
        StringBuilder failed = new StringBuilder();
        for (Path classGroup : classGroups()) {
            try {
                writer.write(classGroup.resolve("cpuset.cpus"), cpus.toString());
            } catch (IOException e) {
                failed.append(failed.length() == 0 ? "" : "; ").append(classGroup.getFileName()).append(": ")
                        .append(e.getMessage());
            }
        }
        if (failed.length() > 0) {
            throw new IOException("class groups keep other CPUs than " + cpus + ": " + failed);
        }
    }

    private List<Path> classGroups() throws IOException {
        try (Stream<Path> children = Files.list(cgroupRoot)) {
            return children.filter(p -> p.getFileName().toString().startsWith(CLASS_PREFIX) && Files.isDirectory(p))
                    .sorted().toList();
        }
    }

    private void enableCpuset() throws IOException {
        Path control = cgroupRoot.resolve("cgroup.subtree_control");
        String enabled = Files.readString(control, StandardCharsets.US_ASCII);
        if (!(" " + enabled.strip() + " ").contains(" cpuset ")) {
            writer.write(control, "+cpuset");
        }
    }

    private void ensureGroup() throws IOException {
        enableCpuset();
        if (!Files.isDirectory(group)) {
            Files.createDirectory(group);
        }
    }

    @Override
    public synchronized void dismantle() {
        steerPending();
        if (!Files.isDirectory(group)) {
            return;
        }
        tasks.moveBack(group);
        try {
            Files.delete(group);
        } catch (IOException e) {
            // a process joined meanwhile; the cpuset widened by the unfence confines nothing
        }
    }
}
