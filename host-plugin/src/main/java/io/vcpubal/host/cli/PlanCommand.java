package io.vcpubal.host.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until implemented. */
@Command(name = "plan", description = "Not implemented yet.")
public final class PlanCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vcpubal-host plan: not implemented yet");
        return 1;
    }
}
