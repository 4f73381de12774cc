package io.vcpubal.host.cli;

import com.google.gson.JsonObject;
import io.vcpubal.host.control.ControlClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vcpubal-host remove-vm NAME}: the daemon lets go of one VM, restoring it first. */
@Command(name = "remove-vm", mixinStandardHelpOptions = true,
        description = "Stop managing a VM: its guest gets all its vCPUs back, its threads their original pins, and"
                + " the other VMs are re-planned.")
public final class RemoveVmCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "VM name as status shows it.")
    String vm;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() {
        try {
            JsonObject req = new JsonObject();
            req.addProperty("op", "remove-vm");
            req.addProperty("vm", vm);
            ControlClient.request(control.control, req);
            System.out.println("VM " + vm + " removed and restored; re-planned");
            return 0;
        } catch (java.io.IOException e) {
            System.err.println("vcpubal-host remove-vm: " + e.getMessage());
            return 1;
        }
    }
}
