package io.vcpubal.guest.policy;

import io.vcpubal.protocol.v1.ClassState;
import java.util.List;
import java.util.Optional;

/** What the reports show of the classes: their state, and the class of a reported process. */
public interface ClassView {
    /** No classes (a guest without them). */
    ClassView NONE = new ClassView() {
        @Override
        public List<ClassState> states() {
            return List.of();
        }

        @Override
        public Optional<String> classOf(int pid) {
            return Optional.empty();
        }
    };

    /** usage_usec of the cgroup root's cpu.stat (every task's CPU time), 0 when unknown. */
    default long totalUsageUs() {
        return 0;
    }

    /** The classes in force as the kernel has them (GuestFacts.classes). */
    List<ClassState> states();

    /** The class the agent put {@code pid} in (ProcessCpu.class_name). */
    Optional<String> classOf(int pid);
}
