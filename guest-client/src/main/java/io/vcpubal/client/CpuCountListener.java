package io.vcpubal.client;

/** Told when the number of online CPUs changes. Called on the watcher's thread: return quickly. */
@FunctionalInterface
public interface CpuCountListener {
    void onCpuCountChanged(CpuState previous, CpuState current);
}
