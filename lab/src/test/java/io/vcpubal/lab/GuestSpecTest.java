package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GuestSpecTest {
    @Test
    void defaults() {
        GuestSpec s = GuestSpec.of("g1", 4);
        assertEquals(768, s.memoryMiB());
        assertEquals(List.of(), s.extraQemuArgs());
    }

    @Test
    void withersKeepTheRest() {
        GuestSpec s = GuestSpec.of("vm-a", 2).withMemoryMiB(1024).withExtraQemuArgs("-cpu", "max").withExtraQemuArgs("-x");
        assertEquals(new GuestSpec("vm-a", 2, 1024, List.of("-cpu", "max", "-x")), s);
    }

    @Test
    void extraArgsAreCopied() {
        List<String> args = new ArrayList<>(List.of("-cpu", "max"));
        GuestSpec s = new GuestSpec("g1", 1, 256, args);
        args.add("-oops");
        assertEquals(List.of("-cpu", "max"), s.extraQemuArgs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "G1", "-g", "a b", "g/1", "a,b", "abcdefghijklmnopqrstuvwxy"})
    void rejectsNamesUnfitForPathsAndQemuOptions(String name) {
        assertThrows(IllegalArgumentException.class, () -> GuestSpec.of(name, 1));
    }

    @Test
    void rejectsOutOfRangeResources() {
        assertThrows(IllegalArgumentException.class, () -> GuestSpec.of("g", 0));
        assertThrows(IllegalArgumentException.class, () -> GuestSpec.of("g", 65));
        assertThrows(IllegalArgumentException.class, () -> GuestSpec.of("g", 1).withMemoryMiB(127));
    }
}
