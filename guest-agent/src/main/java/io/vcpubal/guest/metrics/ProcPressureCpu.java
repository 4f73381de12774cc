package io.vcpubal.guest.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code /proc/pressure/cpu}:
 * <pre>
 * some avg10=77.66 avg60=47.65 avg300=27.33 total=154407930
 * full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * </pre>
 * An absent or unreadable file, or one without a "some" line, is {@link CpuPressure#NOT_AVAILABLE};
 * a malformed value counts as 0.
 */
public final class ProcPressureCpu {

    private final Path file;

    public ProcPressureCpu(Path root) {
        this.file = root.resolve("proc/pressure/cpu");
    }

    public CpuPressure read() {
        return ProcFiles.lines(file).map(ProcPressureCpu::parse).orElse(CpuPressure.NOT_AVAILABLE);
    }

    public static CpuPressure parse(List<String> lines) {
        Optional<PressureLine> some = Optional.empty();
        Optional<PressureLine> full = Optional.empty();
        for (String line : lines) {
            String[] f = ProcFiles.fields(line);
            if (f.length == 0) {
                continue;
            }
            if (f[0].equals("some")) {
                some = Optional.of(line(f));
            } else if (f[0].equals("full")) {
                full = Optional.of(line(f));
            }
        }
        return some.isPresent() ? new CpuPressure(some, full) : CpuPressure.NOT_AVAILABLE;
    }

    private static PressureLine line(String[] f) {
        double avg10 = 0;
        double avg60 = 0;
        double avg300 = 0;
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = f[i].substring(eq + 1);
            switch (f[i].substring(0, eq)) {
                case "avg10":
                    avg10 = ProcFiles.parseDouble(value, 0);
                    break;
                case "avg60":
                    avg60 = ProcFiles.parseDouble(value, 0);
                    break;
                case "avg300":
                    avg300 = ProcFiles.parseDouble(value, 0);
                    break;
                case "total":
                    total = ProcFiles.parseLong(value, 0);
                    break;
                default:
                    break;
            }
        }
        return new PressureLine(avg10, avg60, avg300, total);
    }
}
