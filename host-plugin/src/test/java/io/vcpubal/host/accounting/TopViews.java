package io.vcpubal.host.accounting;

import java.util.List;

/** Named {@link TopView} fixtures for the control socket and the CLI's tests. */
public final class TopViews {
    private TopViews() {}

    /**
     * Two VMs on an overcommitted host: web's guest counts 2 CPUs busy and the host ran its vCPUs for 1.1
     * (factor 0.55); batch's host time is unknown (its QEMU was just restarted); one name needs cutting.
     */
    public static TopView overcommitted() {
        return new TopView(
                List.of(new TopView.VmRow("web", 200, 110, 0.55, 1.9, 5000),
                        new TopView.VmRow("batch-with-a-long-vm-name", 95, -1, -1, -1, 5012)),
                List.of(new TopView.ProcessRow("web", 1201, "nginx", "web", 120, 66),
                        new TopView.ProcessRow("web", 1377, "postgres", "db", 60, 33),
                        new TopView.ProcessRow("batch-with-a-long-vm-name", 88, "ffmpeg-transcode-worker-pool-01",
                                "batch", 90.5, -1),
                        new TopView.ProcessRow("web", 2, "kthreadd", "-", 0.4, 0.22)),
                List.of(new TopView.ClassRow("web", "web", 130, 71.5),
                        new TopView.ClassRow("web", "db", 61, 33.55),
                        new TopView.ClassRow("batch-with-a-long-vm-name", "batch", -1, -1)));
    }
}
