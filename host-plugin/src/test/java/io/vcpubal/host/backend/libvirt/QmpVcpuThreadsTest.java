package io.vcpubal.host.backend.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vcpubal.host.backend.VcpuThread;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QmpVcpuThreadsTest {
    @Test
    void readsIndexAndThreadOfEachVcpuInIndexOrder() {
        // what virDomainQemuMonitorCommand returned for a 2-vCPU TCG domain here
        String answer = "{\"return\":[{\"thread-id\":22163,\"props\":{\"core-id\":0,\"thread-id\":0,\"socket-id\":1},"
                + "\"qom-path\":\"/machine/unattached/device[1]\",\"cpu-index\":1,\"target\":\"x86_64\"},"
                + "{\"thread-id\":22162,\"props\":{\"core-id\":0,\"thread-id\":0,\"socket-id\":0},"
                + "\"qom-path\":\"/machine/unattached/device[0]\",\"cpu-index\":0,\"target\":\"x86_64\"}],"
                + "\"id\":\"libvirt-420\"}";
        assertEquals(List.of(new VcpuThread(0, 22162), new VcpuThread(1, 22163)), QmpVcpuThreads.parse(answer));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"return\":{}}", "{\"return\":[{\"cpu-index\":0}]}",
            "{\"return\":[{\"cpu-index\":0,\"thread-id\":0}]}", "{\"return\":[{\"cpu-index\":-1,\"thread-id\":5}]}",
            "{\"return\":[1]}", "{\"error\":{\"class\":\"CommandNotFound\"}}"})
    void anythingElseIsAnError(String answer) {
        assertThrows(IllegalArgumentException.class, () -> QmpVcpuThreads.parse(answer));
    }

    @Test
    void anOversizedAnswerIsRefusedUnparsed() {
        assertThrows(IllegalArgumentException.class, () -> QmpVcpuThreads.parse(" ".repeat(QmpVcpuThreads.MAX_CHARS + 1)));
    }
}
