package io.vcpubal.host.cli;

import com.google.gson.JsonObject;
import io.vcpubal.host.control.ControlClient;
import io.vcpubal.host.config.VmConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vcpubal-host set-weight NAME W}: changes a VM's weight in the running daemon, which re-plans. */
@Command(name = "set-weight", mixinStandardHelpOptions = true,
        description = "Change a VM's weight (1..65535) in the running daemon; it re-plans and re-balloons at once.")
public final class SetWeightCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "VM name as given to `run --vm name=...`.")
    String vm;

    @Parameters(index = "1", paramLabel = "WEIGHT", description = "New weight, 1..65535.")
    int weight;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() throws Exception {
        try {
            VmConfig.checkWeight(weight);
            JsonObject req = new JsonObject();
            req.addProperty("op", "set-weight");
            req.addProperty("vm", vm);
            req.addProperty("weight", weight);
            ControlClient.request(control.control, req);
            System.out.println("VM " + vm + ": weight " + weight + "; re-planned");
            return 0;
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("vcpubal-host set-weight: " + e.getMessage());
            return 1;
        }
    }
}
