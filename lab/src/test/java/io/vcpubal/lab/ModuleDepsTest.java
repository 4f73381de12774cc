package io.vcpubal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleDepsTest {
    private static final ModuleDeps DEBIAN_6_1 =
            ModuleDeps.parse(Fixtures.lines("modules.dep"), Fixtures.lines("modules.builtin"));

    private static List<String> names(List<String> paths) {
        List<String> names = new ArrayList<>();
        paths.forEach(p -> names.add(ModuleDeps.moduleName(p)));
        return names;
    }

    @Test
    void guestModulesLoadInModprobeOrder() {
        assertEquals(List.of("virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci",
                        "virtio_console", "9pnet", "9pnet_virtio", "netfs", "fscache", "9p",
                        "vsock", "vmw_vsock_virtio_transport_common", "vmw_vsock_virtio_transport"),
                names(DEBIAN_6_1.loadOrder(ModuleDeps.GUEST_ROOTS)));
    }

    @Test
    void everyModuleComesAfterWhatItNeeds() {
        List<String> order = names(DEBIAN_6_1.loadOrder(ModuleDeps.GUEST_ROOTS));
        for (String line : Fixtures.lines("modules.dep")) {
            String module = ModuleDeps.moduleName(line.substring(0, line.indexOf(':')));
            if (!order.contains(module)) {
                continue;
            }
            for (String dep : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                if (!dep.isEmpty()) {
                    assertTrue(order.indexOf(ModuleDeps.moduleName(dep)) < order.indexOf(module),
                            dep + " must load before " + module + " in " + order);
                }
            }
        }
    }

    @Test
    void returnsPathsAsWrittenInModulesDep() {
        assertEquals(List.of("kernel/net/9p/9pnet.ko"), DEBIAN_6_1.loadOrder(List.of("9pnet")));
    }

    @Test
    void builtInModulesAreNotLoaded() {
        ModuleDeps deps = ModuleDeps.parse(
                List.of("kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/drivers/virtio/virtio.ko",
                        "kernel/net/9p/9pnet.ko.xz:"),
                List.of("kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_ring.ko"));
        assertEquals(List.of("kernel/net/9p/9pnet.ko.xz", "kernel/net/9p/9pnet_virtio.ko.xz"),
                deps.loadOrder(List.of("9pnet_virtio", "virtio")));
    }

    @Test
    void dashesAndUnderscoresAreTheSameModule() {
        ModuleDeps deps = ModuleDeps.parse(List.of("kernel/fs/a-b.ko.zst:"), List.of());
        assertEquals(List.of("kernel/fs/a-b.ko.zst"), deps.loadOrder(List.of("a_b")));
    }

    @Test
    void unknownModuleIsAnError() {
        LabException e = assertThrows(LabException.class, () -> DEBIAN_6_1.loadOrder(List.of("no_such_module")));
        assertTrue(e.getMessage().contains("no_such_module"), e.getMessage());
    }

    @Test
    void missingDependencyIsAnError() {
        ModuleDeps deps = ModuleDeps.parse(List.of("kernel/a.ko: kernel/b.ko"), List.of());
        LabException e = assertThrows(LabException.class, () -> deps.loadOrder(List.of("a")));
        assertTrue(e.getMessage().contains(" b "), e.getMessage());
    }

    @Test
    void cycleIsAnError() {
        ModuleDeps deps = ModuleDeps.parse(List.of("kernel/a.ko: kernel/b.ko", "kernel/b.ko: kernel/a.ko"), List.of());
        assertThrows(LabException.class, () -> deps.loadOrder(List.of("a")));
    }

    @Test
    void malformedLinesAreSkipped() {
        ModuleDeps deps = ModuleDeps.parse(List.of("", "garbage", ": kernel/x.ko", "kernel/readme.txt:", "kernel/a.ko:"),
                List.of("", "kernel/notamodule"));
        assertEquals(List.of("kernel/a.ko"), deps.loadOrder(List.of("a")));
    }
}
