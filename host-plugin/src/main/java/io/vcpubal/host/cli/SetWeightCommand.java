package io.vcpubal.host.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until implemented. */
@Command(name = "set-weight", description = "Not implemented yet.")
public final class SetWeightCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vcpubal-host set-weight: not implemented yet");
        return 1;
    }
}
