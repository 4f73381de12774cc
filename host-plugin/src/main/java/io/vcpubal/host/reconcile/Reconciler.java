package io.vcpubal.host.reconcile;

import io.vcpubal.protocol.CpuSet;
import java.util.ArrayList;
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
 *       holds any of them (apart from the pool pin both share by design); this repeats until nothing is
 *       left. A pin blocked by a VM whose own pins failed waits for the next round (its VM keeps its current
 *       pins: "waiting for pCPUs ... held by VM ..."). Stable placement makes swaps between two VMs rare;
 *       should pins block each other in a cycle with no failure involved, they run in order (logged).</li>
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
        Map<String, CpuSet> shared = new HashMap<>();
        Map<String, List<Action>> todo = new LinkedHashMap<>();
        Map<String, List<Action>> done = new LinkedHashMap<>();
        Map<String, VmOutcome> failed = new LinkedHashMap<>();
        for (VmSteps s : round) {
            applied.put(s.vm(), new ArrayList<>(s.appliedPins()));
            holding.put(s.vm(), held(s.appliedPins()));
            shared.put(s.vm(), s.sharedPin());
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
                run(p, applied, holding, todo, done, failed);
            }
        }
        // 2. Expand, as pCPUs are released.
        boolean brokeCycle = false;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String vm : todo.keySet()) {
                for (Action a : List.copyOf(todo.get(vm))) {
                    if (failed.containsKey(vm)) {
                        break;
                    }
                    if (blocker((Action.PinVcpu) a, holding, shared) == null) {
                        run((Action.PinVcpu) a, applied, holding, todo, done, failed);
                        progress = true;
                    }
                }
            }
            if (!progress && todo.values().stream().anyMatch(l -> !l.isEmpty())) {
                // Blocked: by a VM that failed (wait for next round), or by each other (a cycle: run in order).
                for (String vm : todo.keySet()) {
                    if (failed.containsKey(vm) || todo.get(vm).isEmpty()) {
                        continue;
                    }
                    Action.PinVcpu p = (Action.PinVcpu) todo.get(vm).get(0);
                    String by = blocker(p, holding, shared);
                    if (by != null && failed.containsKey(by)) {
                        failed.put(vm, new VmOutcome(vm, done.get(vm), p, "waiting for pCPUs " + p.cpus()
                                + " held by VM " + by + ", whose pins failed"));
                    } else {
                        run(p, applied, holding, todo, done, failed);
                        brokeCycle = true;
                        progress = true;
                        break;
                    }
                }
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

    private void run(Action.PinVcpu p, Map<String, List<CpuSet>> applied, Map<String, CpuSet> holding,
                     Map<String, List<Action>> todo, Map<String, List<Action>> done, Map<String, VmOutcome> failed) {
        todo.get(p.vm()).remove(p);
        try {
            actuator.execute(p);
            List<CpuSet> pins = applied.get(p.vm());
            while (pins.size() <= p.vcpu()) {
                pins.add(null);
            }
            pins.set(p.vcpu(), p.cpus());
            holding.put(p.vm(), held(pins));
            done.get(p.vm()).add(p);
        } catch (Exception e) {
            failed.put(p.vm(), new VmOutcome(p.vm(), done.get(p.vm()), p, message(e)));
        }
    }

    /** The VM that still holds pCPUs {@code p} wants (beyond the pool pin both share), or null. */
    private static String blocker(Action.PinVcpu p, Map<String, CpuSet> holding, Map<String, CpuSet> shared) {
        for (Map.Entry<String, CpuSet> e : holding.entrySet()) {
            if (e.getKey().equals(p.vm()) || !p.cpus().intersects(e.getValue())) {
                continue; // the cheap test first: most VMs hold none of the pCPUs wanted
            }
            CpuSet overlap = p.cpus().intersection(e.getValue());
            CpuSet allowed = shared.get(p.vm()).intersection(shared.get(e.getKey()));
            if (!overlap.minus(allowed).isEmpty()) {
                return e.getKey();
            }
        }
        return null;
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
