package io.vcpubal.host.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until implemented. */
@Command(name = "status", description = "Not implemented yet.")
public final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vcpubal-host status: not implemented yet");
        return 1;
    }
}
