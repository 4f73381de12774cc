package io.vcpubal.host.cgroup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The real cgroup hierarchy of this machine, for tests that need root and a writable cpu controller. */
final class RealHost {
    static final Path ROOT = Path.of("/");

    private RealHost() {
    }

    /** The cpu controller; the calling test is skipped unless we are root and can create cgroups in it. */
    static CpuController cpuControllerOrSkip() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Optional<CpuController> found = CpuCgroupDetector.detect(ROOT);
        assumeTrue(found.isPresent(), "no cpu controller mounted");
        assumeTrue(Files.isWritable(found.get().mount()), "cpu controller not writable: " + found.get());
        return found.get();
    }

    /** A VM name no concurrent test or daemon uses. */
    static String uniqueVm(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    }

    /** The cpu-controller cgroup of thread {@code tid} of process {@code pid}, from /proc/<pid>/task/<tid>/cgroup. */
    static String cgroupOf(CpuController cpu, long pid, long tid) throws IOException {
        return ProcCgroup.cpuPath(Files.readAllLines(Path.of("/proc/" + pid + "/task/" + tid + "/cgroup")),
                cpu.version()).orElseThrow();
    }

    /** The command line that runs {@code main} in a new JVM with this test run's class path. */
    static List<String> javaCommand(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code main} in a new JVM; its stderr is discarded. */
    static Process javaMain(Class<?> main, String... args) throws IOException {
        return new ProcessBuilder(javaCommand(main, args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static Process sleeper() throws IOException {
        return new ProcessBuilder("sleep", "120").start();
    }
}
