package io.vcpubal.lab;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel modules a guest needs, in a load order that satisfies {@code modules.dep} (as written by
 * {@code depmod}); this is what {@code modprobe} would do, which busybox {@code insmod} does not.
 */
final class ModuleDeps {
    /** Everything the lab guest needs: PCI virtio, the virtio-serial port, 9p, and vsock for later. */
    static final List<String> GUEST_ROOTS = List.of(
            "virtio_pci", "virtio_console", "9pnet_virtio", "9p", "vmw_vsock_virtio_transport");

    private final Map<String, String> pathByName;       // "9p" -> "kernel/fs/9p/9p.ko"
    private final Map<String, List<String>> depsByName;  // "9p" -> ["9pnet", "fscache", "netfs"]
    private final Set<String> builtin;

    private ModuleDeps(Map<String, String> pathByName, Map<String, List<String>> depsByName, Set<String> builtin) {
        this.pathByName = pathByName;
        this.depsByName = depsByName;
        this.builtin = builtin;
    }

    /**
     * Parses {@code modules.dep} lines ({@code "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko ..."}) and
     * {@code modules.builtin} lines ({@code "kernel/drivers/virtio/virtio.ko"}); malformed lines are skipped.
     */
    static ModuleDeps parse(List<String> modulesDep, List<String> modulesBuiltin) {
        Map<String, String> paths = new LinkedHashMap<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String line : modulesDep) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            String name = moduleName(path);
            if (name.isEmpty()) {
                continue;
            }
            List<String> ds = new ArrayList<>();
            for (String d : line.substring(colon + 1).trim().split("\\s+")) {
                if (!d.isEmpty()) {
                    ds.add(moduleName(d));
                }
            }
            paths.put(name, path);
            deps.put(name, ds);
        }
        Set<String> builtin = new HashSet<>();
        for (String line : modulesBuiltin) {
            String name = moduleName(line.trim());
            if (!name.isEmpty()) {
                builtin.add(name);
            }
        }
        return new ModuleDeps(paths, deps, builtin);
    }

    /** "kernel/fs/9p/9p.ko.xz" -> "9p"; dashes become underscores as the kernel does. */
    static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int ko = file.indexOf(".ko");
        if (ko <= 0) {
            return "";
        }
        return file.substring(0, ko).replace('-', '_');
    }

    /**
     * Relative paths (as in modules.dep) of the given modules and all their dependencies, each after
     * the modules it needs. Built-in modules are left out. Unknown modules are an error.
     */
    List<String> loadOrder(List<String> roots) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String root : roots) {
            visit(root.replace('-', '_'), ordered, new LinkedHashSet<>());
        }
        List<String> result = new ArrayList<>();
        for (String name : ordered) {
            result.add(pathByName.get(name));
        }
        return result;
    }

    private void visit(String name, Set<String> ordered, Set<String> path) {
        if (ordered.contains(name) || builtin.contains(name)) {
            return;
        }
        if (!path.add(name)) {
            throw new LabException("kernel module dependency cycle: " + path + " -> " + name);
        }
        List<String> deps = depsByName.get(name);
        if (deps == null) {
            throw new LabException("kernel module " + name + " is neither in modules.dep nor built in");
        }
        // modules.dep lists what a module needs so that the reverse is a load order (modprobe's way)
        for (int i = deps.size() - 1; i >= 0; i--) {
            visit(deps.get(i), ordered, path);
        }
        path.remove(name);
        ordered.add(name);
    }
}
