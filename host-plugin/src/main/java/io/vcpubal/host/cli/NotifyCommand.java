package io.vcpubal.host.cli;

import com.google.gson.JsonObject;
import io.vcpubal.host.control.ControlClient;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vcpubal-host notify DOMAIN EVENT}: what the libvirt hook runs. Only a hint (the daemon looks at libvirt
 * itself), so it is quiet and exits 0 whether or not a daemon is there: it must never fail a VM's start.
 */
@Command(name = "notify", mixinStandardHelpOptions = true,
        description = "Tell the running daemon that a libvirt domain started or stopped (the libvirt hook runs this)."
                + " Exits 0 when no daemon runs.")
public final class NotifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain's name.")
    String domain;

    @Parameters(index = "1", paramLabel = "EVENT", description = "What happened: started, release, ...")
    String event;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() {
        if (!Files.exists(control.control)) {
            return 0;
        }
        try {
            JsonObject req = new JsonObject();
            req.addProperty("op", "notify");
            req.addProperty("vm", domain);
            req.addProperty("event", event);
            ControlClient.request(control.control, req);
        } catch (java.io.IOException e) {
            System.err.println("vcpubal-host notify: " + e.getMessage());
        }
        return 0;
    }
}
