package io.vcpubal.host.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The few cgroupfs operations the package needs, with the kernel's habits handled in one place. They work
 * on a plain directory tree as well, so fixture tests exercise the same code.
 */
final class CgroupFs {

    /** Attempts at emptying and removing a cgroup: a task may still join it (v1: a new thread of a member) meanwhile. */
    private static final int REMOVE_ATTEMPTS = 3;

    private CgroupFs() {
    }

    /** One write(2) of {@code value}: cgroupfs takes one value (one task id) per write. */
    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /**
     * Moves task {@code id} into the cgroup owning {@code membersFile}.
     *
     * @return false when the task no longer exists (the kernel's ESRCH), which is no error: a vCPU thread or
     *         a VM may be gone by the time we get to it
     */
    static boolean move(Path root, Path membersFile, int id) throws IOException {
        try {
            write(membersFile, Integer.toString(id));
            return true;
        } catch (IOException e) {
            if (!Files.exists(root.resolve("proc/" + id))) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The task ids listed in a cgroup's {@code tasks} (v1) or {@code cgroup.procs} (v2); empty when the file
     * is missing or unreadable (a threaded v2 cgroup refuses to list processes: they belong to its domain).
     */
    static List<Integer> members(Path dir, CgroupVersion version) {
        List<Integer> ids = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(version.membersFile()));
        } catch (IOException e) {
            return ids;
        }
        for (String line : lines) {
            try {
                ids.add(Integer.parseInt(line.trim()));
            } catch (NumberFormatException e) {
                // Blank line; nothing else appears in these files.
            }
        }
        return ids;
    }

    /** v2: lets the children of {@code dir} use the cpu controller ("+cpu" into its {@code cgroup.subtree_control}). */
    static void enableCpu(Path dir) throws IOException {
        Path control = dir.resolve("cgroup.subtree_control");
        String enabled = Files.exists(control) ? Files.readString(control) : "";
        for (String word : CpuCgroupDetector.words(enabled)) {
            if (word.replaceFirst("^\\+", "").equals("cpu")) {
                return;
            }
        }
        write(control, "+cpu");
    }

    /**
     * Empties and removes the cgroup {@code dir} and any cgroups below it: tasks still in them (except
     * {@code skip}, already moved by the caller) go to the hierarchy root. A cgroup's own tasks go before its
     * children are visited: in v2 the domain lists every process of its threaded subtree, and moving those
     * empties the threaded children too. A child that cannot be removed does not stop its siblings; the
     * first failure is thrown at the end.
     */
    static void removeTree(Path root, CpuController controller, Path dir, Set<Integer> skip) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        IOException failure = drain(root, controller, dir, skip, null);
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(Files::isDirectory).toList();
        }
        for (Path child : children) {
            try {
                removeTree(root, controller, child, skip);
            } catch (IOException e) {
                failure = first(failure, e);
            }
        }
        if (!children.isEmpty() && failure != null) {
            throw failure;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                rmdir(dir);
                return;
            } catch (FileSystemException e) {
                if (attempt == REMOVE_ATTEMPTS) {
                    throw first(failure, e);
                }
            }
            failure = drain(root, controller, dir, skip, failure);
        }
    }

    /** Moves the tasks listed in {@code dir} to the hierarchy root; returns the failures so far. */
    private static IOException drain(Path root, CpuController controller, Path dir, Set<Integer> skip,
            IOException failure) {
        for (int id : members(dir, controller.version())) {
            if (!skip.contains(id)) {
                try {
                    move(root, controller.rootMembersFile(), id);
                } catch (IOException e) {
                    failure = first(failure, e);
                }
            }
        }
        return failure;
    }

    /**
     * Removes {@code dir} unless it still holds cgroups (another daemon's, see {@link OwnerLock}).
     *
     * @return false when it still holds cgroups
     */
    static boolean removeIfUnused(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> list = Files.list(dir)) {
            if (list.anyMatch(Files::isDirectory)) {
                return false;
            }
        }
        rmdir(dir);
        return true;
    }

    private static IOException first(IOException failure, IOException e) {
        if (failure == null) {
            return e;
        }
        failure.addSuppressed(e);
        return failure;
    }

    /**
     * rmdir(2). cgroupfs removes a cgroup together with its control files; a plain directory (a fixture)
     * refuses while they exist, so only then are its regular files deleted first. cgroupfs never reports
     * "not empty" (a busy cgroup is EBUSY), so this never touches a real cgroup's files.
     */
    private static void rmdir(Path dir) throws IOException {
        try {
            Files.delete(dir);
        } catch (DirectoryNotEmptyException e) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
