package io.vcpubal.host.policy;

import java.util.List;

/**
 * One VM's part of a {@link ClassPlan}.
 *
 * @param planningWeight the weight the VM planner gives this VM now: the shares of its active high and normal
 *                       classes, plus its own weight when its unmatched processes are active
 * @param wantsAll       a high-importance class is active: the VM is planned as wanting all it can get
 * @param classes        the settings of its classes, in rule order
 */
public record VmClassPlan(String vm, long planningWeight, boolean wantsAll, List<ClassSetting> classes) {
    public VmClassPlan {
        classes = List.copyOf(classes);
    }

    /** Busy with low-importance work alone: what it runs, it runs on CPU nobody else wants. */
    public boolean lowOnly() {
        return planningWeight == 1 && classes.stream().anyMatch(c -> c.active() && c.idle())
                && classes.stream().noneMatch(c -> c.active() && !c.idle());
    }

    public ClassSetting setting(String cls) {
        return classes.stream().filter(c -> c.cls().name().equals(cls)).findFirst().orElse(null);
    }
}
