/**
 * The lab: real Linux guests under QEMU (TCG, multi-threaded) for tests and demonstrations.
 *
 * <p>{@link io.vcpubal.lab.Lab} boots guests described by {@link io.vcpubal.lab.GuestSpec} from a
 * {@link io.vcpubal.lab.GuestImage} that {@link io.vcpubal.lab.GuestImageCache} builds once from Debian's
 * own kernel and busybox-static packages. A guest's root is the host's file system (9p, read-only), so the
 * host's JDK and freshly built jars run inside it unchanged; {@link io.vcpubal.lab.Guest} runs commands
 * there and exposes the QMP socket and the host end of the agent's virtio-serial port
 * ({@code io.vcpubal.agent.0}). Everything is torn down on close, on JVM shutdown, and (through a parent
 * death signal) even when the JVM is killed.
 */
package io.vcpubal.lab;
