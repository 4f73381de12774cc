package io.vcpubal.host.accounting;

import java.util.List;

/**
 * What {@code vcpubal-host top} shows: the busiest guest processes and classes of every VM, each with the
 * guest's own figure and the host-true one. Percentages are of one CPU (100 = one CPU busy all the interval,
 * as top(1) counts); -1 = unknown.
 */
public record TopView(List<VmRow> vms, List<ProcessRow> processes, List<ClassRow> classes) {
    public TopView {
        vms = List.copyOf(vms);
        processes = List.copyOf(processes);
        classes = List.copyOf(classes);
    }

    /**
     * One VM's figures over the interval its rows cover.
     *
     * @param guestBusyPercent what the guest says its CPUs were busy
     * @param hostRunPercent   what the host ran its vCPU threads
     * @param factor           host-true / guest-view for every row of this VM (see {@link HostTrue#factor})
     * @param wantCpus         CPUs its vCPU threads ran or waited for over the last report interval
     * @param intervalMs       length of the rows' interval (guest clock)
     */
    public record VmRow(String vm, double guestBusyPercent, double hostRunPercent, double factor, double wantCpus,
                     long intervalMs) {}

    /** One guest process; {@code className} is the host-configured class the agent put it in, "-" for none. */
    public record ProcessRow(String vm, int pid, String name, String className, double guestPercent,
                             double hostPercent) {}

    /** One host-configured process class of a guest, from its cgroup's usage. */
    public record ClassRow(String vm, String className, double guestPercent, double hostPercent) {}
}
