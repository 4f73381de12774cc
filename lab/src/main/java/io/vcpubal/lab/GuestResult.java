package io.vcpubal.lab;

/**
 * The outcome of one command run in a guest.
 *
 * @param stdout   everything the command wrote to standard output
 * @param stderr   everything it wrote to standard error
 * @param exitCode its exit status (128+N if killed by signal N)
 */
public record GuestResult(String stdout, String stderr, int exitCode) {
    /** Whether the exit code is 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result if the exit code is 0, else throws a {@link LabException} with all output. */
    public GuestResult requireOk() {
        if (!ok()) {
            throw new LabException("guest command failed with exit code " + exitCode
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
        }
        return this;
    }
}
