package io.vcpubal.host.backend;

/** One vCPU of a QEMU VM: its index (as the guest numbers CPUs) and the host thread that runs it. */
public record VcpuThread(int cpuIndex, int threadId) {}
