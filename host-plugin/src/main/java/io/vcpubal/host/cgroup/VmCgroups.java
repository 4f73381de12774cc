package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CPU cgroup per VM, {@code <cpu mount>/vcpubal/<vm>}, holding the VM's vCPU threads that run in the
 * shared pool and weighted in proportion to the VM's share, so the time a VM gets there does not grow with
 * its number of runnable vCPU threads. One object for the daemon's life: {@link #open} finds the CPU
 * controller and cleans up what a killed daemon left; {@link #close} moves every task back and removes the
 * cgroups.
 *
 * <p>Only pool threads belong in a VM's cgroup. CFS divides a group's weight among the CPUs in proportion
 * to the group's load on each, so a busy dedicated vCPU (or emulator thread) in the same group would take
 * part of the weight away from the pool: a VM with one dedicated and one pool vCPU would get half the pool
 * time its weight says. The caller therefore passes the tids of the vCPUs pinned to the pool.
 *
 * <p><b>v1</b> ({@code cpu.shares}): each given thread moves alone through {@code tasks}; the rest of QEMU
 * stays where it was.
 *
 * <p><b>v2</b> ({@code cpu.weight}): the threads of a process cannot be split across domain cgroups, so
 * {@code vcpubal} is a threaded subtree: the QEMU processes move into {@code vcpubal} itself (the threaded
 * domain, through {@code cgroup.procs}) and each VM's cgroup is threaded, taking the given threads through
 * {@code cgroup.threads}; dedicated vCPUs and emulator threads stay in {@code vcpubal}. Moving the whole
 * process into the VM's cgroup instead would weight the VM by all its threads (see above). The price, paid by
 * either choice: while managed, QEMU leaves its original cgroup (libvirt's or systemd's scope), so limits set
 * there (memory, io, pids) no longer apply to it; in a threaded subtree, domain controllers act on
 * {@code vcpubal} as a whole. Memory charged before the move stays with the old cgroup.
 *
 * <p>Where tasks came from is read from {@code /proc/<tid>/cgroup} when they first join; they go back there
 * on {@link #release} (else to the nearest ancestor that takes them, at worst the hierarchy root). Only
 * differences are written: the last weight and members written are remembered, so a task someone else moved
 * out of our cgroup is not moved back until the VM is released. Failures are per VM ({@link CgroupException}).
 *
 * <p>Without a CPU controller (or when the cgroups cannot be set up) this is a no-op with
 * {@link #kind()} "none": shares are then enforced by pinning alone. Methods are synchronized; the daemon
 * calls them from its reconcile thread and {@link #close} from shutdown.
 */
public final class VmCgroups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmCgroups.class);

    /** Our directory under the hierarchy root. */
    static final String BASE = "vcpubal";
    /** Held while a daemon lives; see {@link OwnerLock}. */
    static final String LOCK_FILE = "run/vcpubal/cgroups.lock";

    /** What we wrote to one VM's cgroup. */
    private static final class VmGroup {
        final Path dir;
        long weight = -1;
        /** What we last wrote to cpu.idle: null = nothing yet (the kernel's default is 0). */
        Boolean idle;
        /** Member thread -> the cgroup path to return it to ("/" when unknown; v2: "/vcpubal"). */
        final Map<Integer, String> threads = new LinkedHashMap<>();
        /** v2: the QEMU process moved into {@code vcpubal}, 0 if none, and where it came from. */
        int pid;
        String pidOrigin = "/";

        VmGroup(Path dir) {
            this.dir = dir;
        }
    }

    private final Path root;
    private final CpuController controller;
    private final OwnerLock lock;
    private final Map<String, VmGroup> groups = new LinkedHashMap<>();
    /** Cleared when the kernel has no cpu.idle (before Linux 5.15): idle priority is then not used. */
    private boolean idleSupported = true;

    private VmCgroups(Path root, CpuController controller, OwnerLock lock) {
        this.root = root;
        this.controller = controller;
        this.lock = lock;
    }

    /**
     * Finds the CPU controller under {@code root} ({@code /} on a host, a fixture tree in tests), removes
     * the cgroups a killed daemon left (unless another live daemon holds the owner lock) and prepares
     * {@code <mount>/vcpubal}. Logs the outcome once; never fails: without a usable controller the result
     * is {@link #kind()} "none".
     */
    public static VmCgroups open(Path root) {
        Optional<CpuController> found;
        try {
            found = CpuCgroupDetector.detect(root);
        } catch (IOException e) {
            LOG.warn("cannot read the mount table under {} ({}): no per-VM CPU weights, shares are enforced by pinning alone",
                    root, e.toString());
            return none();
        }
        if (found.isEmpty()) {
            LOG.warn("no cgroup hierarchy has the cpu controller: no per-VM CPU weights, shares are enforced by pinning alone");
            return none();
        }
        CpuController controller = found.get();
        Path lockFile = root.resolve(LOCK_FILE);
        OwnerLock lock = null;
        boolean owner = true;
        try {
            lock = OwnerLock.tryAcquire(lockFile);
            owner = lock != null;
        } catch (IOException e) {
            LOG.warn("cannot lock {} ({}); cleaning up old vcpubal cgroups anyway", lockFile, e.toString());
        }
        Path base = controller.mount().resolve(BASE);
        if (!owner) {
            LOG.warn("another vcpubal daemon holds {}: leaving the cgroups under {} alone", lockFile, base);
        } else {
            try {
                int removed = StaleCgroups.clean(root, controller);
                if (removed > 0) {
                    LOG.info("removed {} VM cgroups a previous run left under {}", removed, base);
                }
            } catch (IOException e) {
                LOG.warn("cannot remove the cgroups a previous run left under {}: {}", base, e.toString());
            }
        }
        VmCgroups cgroups = new VmCgroups(root, controller, lock);
        try {
            cgroups.prepareBase();
        } catch (IOException e) {
            LOG.warn("cannot set up {} ({}): no per-VM CPU weights, shares are enforced by pinning alone",
                    base, e.toString());
            if (lock != null) {
                lock.close();
            }
            return none();
        }
        LOG.info("per-VM CPU weights through cgroup {} ({})", controller, controller.version().weightFile());
        return cgroups;
    }

    /** The no-op instance, {@link #kind()} "none". */
    public static VmCgroups none() {
        return new VmCgroups(null, null, null);
    }

    /** "v1", "v2" or "none", for status and logs. */
    public String kind() {
        return controller == null ? "none" : controller.version().kind();
    }

    /** The controller in use; empty for "none". */
    public Optional<CpuController> controller() {
        return Optional.ofNullable(controller);
    }

    /**
     * Puts a VM's pool threads into its cgroup with a weight for {@code share}: creates {@code vcpubal/<vm>}
     * if missing, writes the weight if it changed and moves in the threads not there yet (v2: after moving
     * the QEMU process into {@code vcpubal}). Threads dropped from {@code vcpuTids} go back where they came
     * from (v2: to {@code vcpubal}). A task that no longer exists is skipped.
     *
     * @param share    the VM's pool share in pCPUs (v1: cpu.shares = 1024 per pCPU; v2: cpu.weight = 100 per pCPU)
     * @param vcpuTids host thread ids of the VM's vCPUs that run in the pool
     * @param qemuPid  the QEMU process (needed by v2; may be 0 on v1)
     * @throws CgroupException naming the VM and the file; the other threads were still tried
     */
    public synchronized void apply(String vm, double share, Collection<Integer> vcpuTids, int qemuPid)
            throws CgroupException {
        if (controller == null) {
            return;
        }
        CgroupVersion version = controller.version();
        VmGroup group = groups.get(vm);
        if (group == null || !Files.isDirectory(group.dir)) {
            group = create(vm); // or made again after someone removed it: its tasks left with it
            groups.put(vm, group);
        }
        long weight = version.weight(share);
        if (weight != group.weight) {
            Path file = group.dir.resolve(version.weightFile());
            try {
                CgroupFs.write(file, Long.toString(weight));
            } catch (IOException e) {
                throw new CgroupException(vm, file, "cannot write " + weight + " to", e);
            }
            LOG.debug("VM {}: {} {}", vm, version.weightFile(), weight);
            group.weight = weight;
        }
        if (version == CgroupVersion.V2 && !enterDomain(vm, group, qemuPid)) {
            return; // QEMU is gone
        }
        Set<Integer> wanted = new LinkedHashSet<>();
        vcpuTids.stream().filter(t -> t != null && t > 0).forEach(wanted::add);
        List<CgroupException> failures = new ArrayList<>();
        for (int tid : List.copyOf(group.threads.keySet())) {
            if (!wanted.contains(tid)) {
                try {
                    restoreThread(vm, group, tid);
                } catch (CgroupException e) {
                    failures.add(e);
                }
            }
        }
        for (int tid : wanted) {
            if (!group.threads.containsKey(tid)) {
                try {
                    joinThread(vm, group, tid);
                } catch (CgroupException e) {
                    failures.add(e);
                }
            }
        }
        throwFirst(failures);
    }

    /**
     * Runs the VM's cgroup at the host's idle priority ({@code cpu.idle = 1}, Linux 5.15+, v1 and v2): its
     * threads get a CPU only while no normal thread there wants it. For a pool vCPU that only borrows what an
     * idle VM leaves: the lender's vCPU preempts it the moment it wakes. Writes only a change; a VM without a
     * cgroup yet (no pool thread) is skipped. A kernel without the file is logged once and then left alone.
     *
     * @throws CgroupException naming the VM and the file
     */
    public synchronized void setIdle(String vm, boolean idle) throws CgroupException {
        VmGroup group = groups.get(vm);
        if (controller == null || group == null || !idleSupported || Boolean.valueOf(idle).equals(group.idle)
                || (group.idle == null && !idle)) {
            return;
        }
        Path file = group.dir.resolve("cpu.idle");
        try {
            CgroupFs.write(file, idle ? "1" : "0");
        } catch (IOException e) {
            if (!Files.exists(file)) {
                idleSupported = false;
                LOG.info("{} has no cpu.idle (Linux 5.15+): borrowed pool time runs at normal priority", controller);
                return;
            }
            throw new CgroupException(vm, file, "cannot write " + (idle ? 1 : 0) + " to", e);
        }
        LOG.debug("VM {}: cpu.idle {}", vm, idle ? 1 : 0);
        group.idle = idle;
    }

    /**
     * Moves the VM's tasks back where they were before they joined (v1: each thread; v2: the QEMU process,
     * its threads with it) and removes its cgroup. A task whose cgroup is gone goes to the nearest ancestor
     * that takes it, the hierarchy root when nothing is known. Also removes a {@code vcpubal/<vm>} this
     * object never created, moving what is in it to the root.
     *
     * @throws CgroupException naming the VM and the file; the VM is then kept, so {@link #close} tries again
     */
    public synchronized void release(String vm) throws CgroupException {
        if (controller == null) {
            return;
        }
        VmGroup group = groups.get(vm);
        Path dir = group != null ? group.dir : base().resolve(dirName(vm));
        List<CgroupException> failures = new ArrayList<>();
        Set<Integer> movedBack = new HashSet<>();
        if (group != null) {
            for (int tid : List.copyOf(group.threads.keySet())) {
                try {
                    if (group.pid == 0) { // v2: the threads leave with their process below
                        restoreThread(vm, group, tid);
                    }
                    movedBack.add(tid);
                } catch (CgroupException e) {
                    failures.add(e);
                }
            }
            if (group.pid > 0) {
                try {
                    leaveDomain(vm, group);
                } catch (CgroupException e) {
                    failures.add(e);
                }
            }
        }
        try {
            // Tasks we did not put there (v1: threads a member spawned) go to the root, then rmdir.
            CgroupFs.removeTree(root, controller, dir, movedBack);
        } catch (IOException e) {
            failures.add(new CgroupException(vm, dir, "cannot remove cgroup", e));
        }
        if (failures.isEmpty()) {
            if (groups.remove(vm) != null) {
                LOG.info("VM {}: removed cgroup {}", vm, dir);
            }
        }
        throwFirst(failures);
    }

    /** The VMs that have a cgroup now. */
    public synchronized Set<String> vms() {
        return Set.copyOf(groups.keySet());
    }

    /** Releases every VM, removes {@code vcpubal} (unless another daemon still has cgroups in it); logs failures. */
    @Override
    public synchronized void close() {
        if (controller == null) {
            return;
        }
        for (String vm : List.copyOf(groups.keySet())) {
            try {
                release(vm);
            } catch (CgroupException e) {
                LOG.warn("{}", e.getMessage());
            }
        }
        Path base = controller.mount().resolve(BASE);
        try {
            if (!CgroupFs.removeIfUnused(base)) {
                LOG.info("left {} in place: it still holds cgroups", base);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", base, e.toString());
        }
        if (lock != null) {
            lock.close();
        }
    }

    /** True when this object holds the owner lock (and so cleaned up at open). */
    boolean ownsHost() {
        return lock != null;
    }

    /**
     * The directory name for a VM: letters, digits, '_', '-' and (not first) '.' are kept, any other byte
     * becomes \xHH as in systemd unit names, so no VM name can reach outside {@code vcpubal/} ("/", "..").
     * A name equal to a control file ("tasks") is left alone: mkdir then fails with an error naming it.
     */
    static String dirName(String vm) {
        StringBuilder out = new StringBuilder();
        byte[] bytes = vm.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '_' || b == '-' || (b == '.' && i > 0);
            out.append(plain ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return out.length() == 0 ? "\\x00" : out.toString();
    }

    /** {@code vcpubal/} exists; v2: the cpu controller is enabled for it and for its children. */
    private void prepareBase() throws IOException {
        Path base = base();
        if (controller.version() == CgroupVersion.V2) {
            CgroupFs.enableCpu(controller.mount());
        }
        Files.createDirectories(base);
        if (controller.version() == CgroupVersion.V2) {
            CgroupFs.enableCpu(base);
        }
    }

    private Path base() {
        return controller.mount().resolve(BASE);
    }

    /** Makes {@code vcpubal/<vm>}; v2: threaded, which turns {@code vcpubal} into its threaded domain. */
    private VmGroup create(String vm) throws CgroupException {
        try {
            prepareBase(); // another daemon's close may have removed it
        } catch (IOException e) {
            throw new CgroupException(vm, base(), "cannot set up", e);
        }
        Path dir = base().resolve(dirName(vm));
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                LOG.info("VM {}: created cgroup {}", vm, dir);
            }
        } catch (IOException e) {
            throw new CgroupException(vm, dir, "cannot create cgroup", e);
        }
        if (controller.version() == CgroupVersion.V2) {
            Path type = dir.resolve("cgroup.type");
            try {
                CgroupFs.write(type, "threaded");
            } catch (IOException e) {
                throw new CgroupException(vm, type, "cannot write threaded to", e);
            }
        }
        return new VmGroup(dir);
    }

    /**
     * v2: moves QEMU into {@code vcpubal} (a new pid means QEMU restarted: the old one goes back first).
     *
     * @return false when the process is gone
     */
    private boolean enterDomain(String vm, VmGroup group, int qemuPid) throws CgroupException {
        Path procs = base().resolve(CgroupVersion.V2.membersFile());
        if (qemuPid <= 0) {
            throw new CgroupException(vm, procs, "no QEMU pid known, cannot move the VM into", null);
        }
        if (group.pid == qemuPid) {
            return true;
        }
        if (group.pid > 0) {
            leaveDomain(vm, group);
        }
        String origin = originOf(qemuPid);
        try {
            if (!CgroupFs.move(root, procs, qemuPid)) {
                return false;
            }
        } catch (IOException e) {
            throw new CgroupException(vm, procs, "cannot move process " + qemuPid + " into", e);
        }
        group.pid = qemuPid;
        group.pidOrigin = origin;
        return true;
    }

    /** v2: QEMU back where it came from, its threads with it. */
    private void leaveDomain(String vm, VmGroup group) throws CgroupException {
        moveBack(vm, group.pid, group.pidOrigin, CgroupVersion.V2.membersFile());
        group.pid = 0;
        group.threads.clear();
    }

    private void joinThread(String vm, VmGroup group, int tid) throws CgroupException {
        String origin = controller.version() == CgroupVersion.V2 ? "/" + BASE : originOf(tid);
        Path file = group.dir.resolve(controller.version().threadFile());
        try {
            if (CgroupFs.move(root, file, tid)) {
                group.threads.put(tid, origin);
            }
        } catch (IOException e) {
            throw new CgroupException(vm, file, "cannot move thread " + tid + " into", e);
        }
    }

    private void restoreThread(String vm, VmGroup group, int tid) throws CgroupException {
        moveBack(vm, tid, group.threads.get(tid), controller.version().threadFile());
        group.threads.remove(tid);
    }

    /** Where task {@code id} is now, unless that is one of ours (then unknown: "/"). */
    private String originOf(int id) {
        return ProcCgroup.read(root, id, controller.version())
                .filter(p -> !p.equals("/" + BASE) && !p.startsWith("/" + BASE + "/"))
                .orElse("/");
    }

    /**
     * Writes task {@code id} to {@code file} of its original cgroup, else of the nearest ancestor that takes
     * it: the original may be gone, or be a v2 threaded cgroup (libvirt's vcpuN) that takes no process.
     */
    private void moveBack(String vm, int id, String origin, String file) throws CgroupException {
        IOException firstFailure = null;
        Path tried = null;
        for (String path = origin; path != null; path = parentPath(path)) {
            Path target = controller.dirOf(path).resolve(file);
            try {
                CgroupFs.move(root, target, id);
                if (firstFailure != null) {
                    LOG.info("VM {}: task {} could not go back to {} ({}), moved to {} instead", vm, id, origin,
                            firstFailure.toString(), path);
                }
                return;
            } catch (IOException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                    tried = target;
                }
            }
        }
        throw new CgroupException(vm, tried, "cannot move task " + id + " back to", firstFailure);
    }

    /** "/a/b" -> "/a" -> "/" -> null. */
    static String parentPath(String path) {
        if (path.equals("/") || path.isEmpty()) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static void throwFirst(List<CgroupException> failures) throws CgroupException {
        if (failures.isEmpty()) {
            return;
        }
        CgroupException first = failures.get(0);
        for (CgroupException other : failures.subList(1, failures.size())) {
            first.addSuppressed(other);
        }
        throw first;
    }
}
