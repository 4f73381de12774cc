package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies one round's pins across all VMs in an order that never lets two VMs' dedicated pCPUs overlap, even
 * for an instant, and even when some pins fail:
 *
 * <ol>
 *   <li><b>Restrict.</b> Every pin that keeps a vCPU inside pCPUs its VM already holds (a VM whose allocation
 *       shrinks moves all its threads into its new, smaller set) runs first.</li>
 *   <li><b>Expand.</b> Then each pin that moves a vCPU onto pCPUs its VM did not hold runs once no other VM
 *       holds any of them. Pool pins are the exception by design: a balanced vCPU's pool pin may overlap what
 *       other VMs hold through their pool pins, this plan's pool or the previous plan's ({@link VmSteps#wasShared}),
 *       so a pool that changes never blocks itself. A blocked pin waits for the VM that blocks it and is looked
 *       at again when one of that VM's pins runs. A pin blocked by a VM whose own pins failed waits for the next
 *       round (its VM keeps its current pins: "waiting for pCPUs ... held by VM ..."). Should pins block each
 *       other in a cycle with no failure involved (two VMs swapping dedicated pCPUs: stable placement makes it
 *       rare), they run in order (logged).</li>
 *   <li><b>Emulator</b> pins last (emulator pCPUs are shared by all VMs by design).</li>
 * </ol>
 * Within a VM the first failure skips the rest of that VM's pins; other VMs go on. "Held" means the union of
 * the pins last applied to a VM's threads; threads never pinned by us (first round, a restarted QEMU) hold
 * nothing. Balloons are not run here: the daemon sends them after the pins, without waiting for guests.
 */
public final class Reconciler {
    private final Actuator actuator;

    public Reconciler(Actuator actuator) {
        this.actuator = actuator;
    }

    /** Result of {@link #pin}: per VM, what was done and what failed; and whether a cycle had to be broken. */
    public record Result(List<VmOutcome> outcomes, boolean brokeCycle) {}

    public Result pin(List<VmSteps> round) {
        Map<String, List<CpuSet>> applied = new HashMap<>();
        // what each VM holds, kept up to date as its pins run: recomputing it per check made a 500-VM round
        // with 1,600 pins take minutes (the fleet simulator found it)
        Map<String, CpuSet> holding = new HashMap<>();
        Map<String, CpuSet> holdingDedicated = new HashMap<>();
        Map<String, CpuSet> shared = new HashMap<>();
        Map<String, CpuSet> wasShared = new HashMap<>();
        Map<String, List<Action>> todo = new LinkedHashMap<>();
        Map<String, List<Action>> done = new LinkedHashMap<>();
        Map<String, VmOutcome> failed = new LinkedHashMap<>();
        Holdings h = new Holdings(applied, holding, holdingDedicated, shared, wasShared);
        for (VmSteps s : round) {
            applied.put(s.vm(), new ArrayList<>(s.appliedPins()));
            shared.put(s.vm(), s.sharedPin());
            wasShared.put(s.vm(), s.wasShared());
            holding.put(s.vm(), held(s.appliedPins()));
            holdingDedicated.put(s.vm(), dedicated(s.appliedPins(), s.sharedPin(), s.wasShared()));
            todo.put(s.vm(), new ArrayList<>(s.pins().stream().filter(a -> a instanceof Action.PinVcpu).toList()));
            done.put(s.vm(), new ArrayList<>());
        }
        // 1. Restrict.
        for (String vm : todo.keySet()) {
            CpuSet held = holding.get(vm);
            for (Action a : List.copyOf(todo.get(vm))) {
                Action.PinVcpu p = (Action.PinVcpu) a;
                if (failed.containsKey(vm) || held.isEmpty() || !p.cpus().isSubsetOf(held)) {
                    continue;
                }
                run(p, h, todo, done, failed);
            }
        }
        // 2. Expand, as pCPUs are released. A blocked pin waits on the VM that blocks it and is looked at again
        // only when a pin of that VM runs: re-checking every pending pin after every pin made a 500-VM weight
        // change take seconds per round (the fleet simulator found it).
        Deque<Action.PinVcpu> ready = new ArrayDeque<>();
        todo.values().forEach(l -> l.forEach(a -> ready.add((Action.PinVcpu) a)));
        Map<String, List<Action.PinVcpu>> waiting = new HashMap<>();
        boolean brokeCycle = false;
        while (true) {
            while (!ready.isEmpty()) {
                Action.PinVcpu p = ready.poll();
                if (failed.containsKey(p.vm()) || !todo.get(p.vm()).contains(p)) {
                    continue;
                }
                String by = blocker(p, h);
                if (by == null) {
                    runAndWake(p, h, todo, done, failed, waiting, ready);
                } else {
                    waiting.computeIfAbsent(by, k -> new ArrayList<>()).add(p);
                }
            }
            if (waiting.isEmpty()) {
                break;
            }
            // Blocked: by a VM that failed (wait for next round), or by each other (a cycle: run in order).
            boolean ran = false;
            for (String vm : todo.keySet()) {
                if (failed.containsKey(vm) || todo.get(vm).isEmpty()) {
                    continue;
                }
                Action.PinVcpu p = (Action.PinVcpu) todo.get(vm).get(0);
                String by = blocker(p, h);
                if (by != null && failed.containsKey(by)) {
                    failed.put(vm, new VmOutcome(vm, done.get(vm), p, "waiting for pCPUs " + p.cpus()
                            + " held by VM " + by + ", whose pins failed"));
                } else {
                    runAndWake(p, h, todo, done, failed, waiting, ready);
                    brokeCycle |= by != null;
                    ran = true;
                    break;
                }
            }
            if (!ran) {
                break;
            }
        }
        // 3. Emulator pins.
        for (VmSteps s : round) {
            for (Action a : s.pins()) {
                if (a instanceof Action.PinEmulator && !failed.containsKey(s.vm())) {
                    try {
                        actuator.execute(a);
                        done.get(s.vm()).add(a);
                    } catch (Exception e) {
                        failed.put(s.vm(), new VmOutcome(s.vm(), done.get(s.vm()), a, message(e)));
                    }
                }
            }
        }
        List<VmOutcome> out = new ArrayList<>();
        for (VmSteps s : round) {
            VmOutcome f = failed.get(s.vm());
            out.add(f != null ? new VmOutcome(s.vm(), done.get(s.vm()), f.failed(), f.error())
                    : new VmOutcome(s.vm(), done.get(s.vm()), null, null));
        }
        return new Result(out, brokeCycle);
    }

    /** Runs {@code p}; the pins that waited for its VM to let go of pCPUs are looked at again. */
    private void runAndWake(Action.PinVcpu p, Holdings h, Map<String, List<Action>> todo, Map<String, List<Action>> done,
                            Map<String, VmOutcome> failed, Map<String, List<Action.PinVcpu>> waiting,
                            Deque<Action.PinVcpu> ready) {
        run(p, h, todo, done, failed);
        List<Action.PinVcpu> woken = waiting.remove(p.vm());
        if (woken != null) {
            ready.addAll(woken);
        }
    }

    private void run(Action.PinVcpu p, Holdings h, Map<String, List<Action>> todo, Map<String, List<Action>> done,
                     Map<String, VmOutcome> failed) {
        todo.get(p.vm()).remove(p);
        try {
            actuator.execute(p);
            List<CpuSet> pins = h.applied.get(p.vm());
            while (pins.size() <= p.vcpu()) {
                pins.add(null);
            }
            pins.set(p.vcpu(), p.cpus());
            h.holding.put(p.vm(), held(pins));
            h.holdingDedicated.put(p.vm(), dedicated(pins, h.shared.get(p.vm()), h.wasShared.get(p.vm())));
            done.get(p.vm()).add(p);
        } catch (Exception e) {
            failed.put(p.vm(), new VmOutcome(p.vm(), done.get(p.vm()), p, message(e)));
        }
    }

    /**
     * What each VM holds now: every pin last applied to its threads, all of them and those that are not its pool pin
     * (this plan's or the previous one's). Kept up to date as its pins run.
     */
    private record Holdings(Map<String, List<CpuSet>> applied, Map<String, CpuSet> holding,
                            Map<String, CpuSet> holdingDedicated, Map<String, CpuSet> shared,
                            Map<String, CpuSet> wasShared) {}

    /**
     * The VM that still holds pCPUs {@code p} wants, or null. A pool pin may overlap what other VMs hold through
     * their pool pins (old or new pool: balanced vCPUs share the pool by design, also while it changes); any
     * other pin may overlap nothing another VM holds.
     */
    private static String blocker(Action.PinVcpu p, Holdings h) {
        boolean poolPin = !p.cpus().isEmpty() && p.cpus().equals(h.shared.get(p.vm()));
        for (Map.Entry<String, CpuSet> e : h.holding.entrySet()) {
            if (e.getKey().equals(p.vm()) || !p.cpus().intersects(e.getValue())) {
                continue; // the cheap test first: most VMs hold none of the pCPUs wanted
            }
            if (!poolPin || p.cpus().intersects(h.holdingDedicated.get(e.getKey()))) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The union of {@code pins} that are not the VM's pool pin, new or previous. */
    static CpuSet dedicated(List<CpuSet> pins, CpuSet shared, CpuSet wasShared) {
        CpuSet out = CpuSet.empty();
        for (CpuSet p : pins) {
            if (p != null && !(p.equals(shared) && !shared.isEmpty()) && !(p.equals(wasShared) && !wasShared.isEmpty())) {
                out = out.union(p);
            }
        }
        return out;
    }

    static CpuSet held(List<CpuSet> pins) {
        CpuSet held = CpuSet.empty();
        for (CpuSet p : pins) {
            if (p != null) {
                held = held.union(p);
            }
        }
        return held;
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
