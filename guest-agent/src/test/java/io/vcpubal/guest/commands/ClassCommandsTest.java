package io.vcpubal.guest.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.guest.fence.CpuFence;
import io.vcpubal.guest.policy.ClassGroups;
import io.vcpubal.guest.policy.IdentityReader;
import io.vcpubal.guest.policy.ProcessClasses;
import io.vcpubal.guest.sysfs.CpuSysfs;
import io.vcpubal.protocol.v1.ClassState;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.ProcessClass;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import io.vcpubal.protocol.v1.SetProcessClasses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SetProcessClasses through the registry, on a fixture guest with one nginx (pid 100) in the root cgroup. */
class ClassCommandsTest {
    @TempDir
    Path root;
    final List<String> writes = new ArrayList<>();
    CommandRegistry registry;

    @BeforeEach
    void guest() throws IOException {
        Path cg = root.resolve("sys/fs/cgroup");
        Files.createDirectories(cg);
        Files.writeString(cg.resolve("cgroup.controllers"), "cpuset cpu\n");
        Files.writeString(cg.resolve("cgroup.subtree_control"), "cpu\n");
        Files.writeString(cg.resolve("cgroup.procs"), "100\n");
        Path p = root.resolve("proc/100");
        Files.createDirectories(p);
        Files.writeString(p.resolve("stat"), "100 (nginx) S 1 100 100 0 -1 4194560 0 0 0 0 3 1 0 0 20 0 1 0 77 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 0 65536 1 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        Files.writeString(p.resolve("comm"), "nginx\n");
        Files.writeString(p.resolve("cmdline"), "nginx\0");
        Files.writeString(p.resolve("cgroup"), "0::/\n");
        // Like the kernel: a pid written to a group's cgroup.procs is in that group.
        CpuSysfs.OnlineWriter writer = (file, value) -> {
            writes.add(root.relativize(file) + "=" + value);
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            if (file.getFileName().toString().equals("cgroup.procs")) {
                Files.writeString(p.resolve("cgroup"), "0::/" + cg.relativize(file.getParent()) + "\n");
                Files.writeString(cg.resolve("cgroup.procs"), "");
            }
        };
        ProcessClasses classes = new ProcessClasses(new ClassGroups(cg, writer, CpuFence.unavailable("test"),
                ClassGroups.RMDIR), new IdentityReader(root), root, 1,
                Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC));
        registry = new ClassCommands(classes).registerInto(new CommandRegistry());
    }

    static Command command(SetProcessClasses.Builder set) {
        return Command.newBuilder().setRequestId(7).setSetProcessClasses(set).build();
    }

    @Test
    void aSetInAResultOut() {
        Envelope e = registry.dispatch(command(SetProcessClasses.newBuilder().setLeaseMs(30_000)
                .addClasses(ProcessClass.newBuilder().setName("web").setComm("ngin?").setCpuWeight(300)
                        .setQuotaUs(200_000)))).build();

        assertEquals(7, e.getResult().getRequestId());
        ProcessClassesResult r = e.getResult().getProcessClasses();
        assertEquals(ProcessClassesResult.newBuilder().setLeaseRemainingMs(30_000).addClasses(ClassState.newBuilder()
                .setName("web").setProcesses(1).setCpuWeight(300).setQuotaUs(200_000)).build(), r);
        assertEquals(List.of("sys/fs/cgroup/vcpubal.class.web/cpu.weight=300",
                "sys/fs/cgroup/vcpubal.class.web/cpu.max=200000 100000",
                "sys/fs/cgroup/vcpubal.class.web/cgroup.procs=100"), writes);
    }

    @Test
    void anInvalidSetIsRefusedWholeAndWritesNothing() {
        Envelope e = registry.dispatch(command(SetProcessClasses.newBuilder().setLeaseMs(30_000)
                .addClasses(ProcessClass.newBuilder().setName("web").setComm("nginx"))
                .addClasses(ProcessClass.newBuilder().setName("bad name").setComm("x")))).build();

        assertEquals(Error.Code.REFUSED, e.getError().getCode());
        assertEquals(7, e.getError().getRequestId());
        assertTrue(e.getError().getMessage().contains("class name 'bad name'"), e.getError().getMessage());
        assertEquals(List.of(), writes);
        assertTrue(Files.notExists(root.resolve("sys/fs/cgroup/vcpubal.class.web")));
    }

    @Test
    void aGuestWithoutClassesRefusesNamingTheReason() {
        CommandRegistry none = ClassCommands.unavailable("systemd manages this guest's cgroups")
                .registerInto(new CommandRegistry());
        Envelope e = none.dispatch(command(SetProcessClasses.newBuilder())).build();
        assertEquals(Error.Code.REFUSED, e.getError().getCode());
        assertTrue(e.getError().getMessage().endsWith("systemd manages this guest's cgroups"), e.getError().getMessage());
    }
}
