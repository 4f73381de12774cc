package io.vcpubal.host.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until implemented. */
@Command(name = "run", description = "Not implemented yet.")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vcpubal-host run: not implemented yet");
        return 1;
    }
}
