package io.vcpubal.host.policy;

import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.util.List;

/** Turns a VM's class plan into the command its agent carries out. */
public final class ClassCommand {
    private ClassCommand() {}

    /** The SetProcessClasses for {@code plan} (an empty one when the VM has no classes). */
    public static SetProcessClasses of(VmClassPlan plan, int leaseMs) {
        SetProcessClasses.Builder b = SetProcessClasses.newBuilder();
        List<ClassSetting> classes = plan == null ? List.of() : plan.classes();
        for (ClassSetting s : classes) {
            ClassConfig c = s.cls();
            b.addClasses(ProcessClass.newBuilder().setName(c.name()).setComm(c.comm()).setCmdline(c.cmdline())
                    .setCgroup(c.cgroup()).setUnit(c.unit()).setCpuWeight(s.cpuWeight()).setIdle(s.idle())
                    .setQuotaUs(s.quotaUs()));
        }
        if (b.getClassesCount() > 0) {
            b.setLeaseMs(leaseMs);
        }
        return b.build();
    }
}
