package io.vcpubal.guest.commands;

import io.vcpubal.guest.policy.ClassSpecs;
import io.vcpubal.guest.policy.ClassEnforcer;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.ProcessClassesResult;
import java.util.Objects;

/**
 * SetProcessClasses. Registered also where classes are unavailable, so the host learns why (Error{REFUSED}
 * naming the reason GuestInfo gave) rather than UNKNOWN_COMMAND, which would read as an old agent.
 */
public final class ClassCommands {
    private final ClassEnforcer classes;
    private final String unavailable;

    public ClassCommands(ClassEnforcer classes) {
        this.classes = Objects.requireNonNull(classes, "classes");
        this.unavailable = null;
    }

    private ClassCommands(String why) {
        this.classes = null;
        this.unavailable = why;
    }

    /** A guest without classes: every request is refused with {@code why}. */
    public static ClassCommands unavailable(String why) {
        return new ClassCommands(Objects.requireNonNull(why, "why"));
    }

    public CommandRegistry registerInto(CommandRegistry registry) {
        return registry.register(Command.KindCase.SET_PROCESS_CLASSES, this::set);
    }

    Envelope.Builder set(Command c) {
        long id = c.getRequestId();
        if (classes == null) {
            return CommandRegistry.error(Error.Code.REFUSED, "process classes are not available in this guest: "
                    + unavailable, id);
        }
        ProcessClassesResult r;
        try {
            r = classes.apply(c.getSetProcessClasses());
        } catch (ClassSpecs.Refusal e) {
            return CommandRegistry.error(Error.Code.REFUSED, e.getMessage() + " (classes unchanged)", id);
        }
        return Envelope.newBuilder().setResult(CommandResult.newBuilder().setRequestId(id).setProcessClasses(r));
    }
}
