package io.vcpubal.host.cli;

import com.google.gson.JsonObject;
import io.vcpubal.host.config.VmConfig;
import io.vcpubal.host.control.ControlClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vcpubal-host add-vm SPEC}: the running daemon manages one more QEMU VM from now on. */
@Command(name = "add-vm", mixinStandardHelpOptions = true,
        description = "Add a VM to the running daemon (backend qmp); it is observed, planned and pinned at once, the"
                + " others re-planned. Lasts until remove-vm, or until its QEMU exits for good.")
public final class AddVmCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC",
            description = "name=NAME,weight=W,qmp=PATH[,agent=PATH][,pidfile=PATH][,max-vcpus=N][,min-vcpus=N][,balloon=hotplug|fence|auto]")
    String spec;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() {
        try {
            VmConfig vm = VmConfig.parse(spec); // the daemon checks again; this gives the error without a round trip
            JsonObject req = new JsonObject();
            req.addProperty("op", "add-vm");
            req.addProperty("spec", spec);
            ControlClient.request(control.control, req);
            System.out.println("VM " + vm.name() + " added; re-planned");
            return 0;
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("vcpubal-host add-vm: " + e.getMessage());
            return 1;
        }
    }
}
