package io.vcpubal.guest.commands;

import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The allow-list of commands the agent answers, like qemu-ga's command table: a command is executed only
 * if its kind is registered here, and restricting the agent means registering fewer handlers, never
 * checks inside handlers.
 */
public final class CommandRegistry {
    private final Map<Command.KindCase, CommandHandler> handlers = new EnumMap<>(Command.KindCase.class);

    public CommandRegistry register(Command.KindCase kind, CommandHandler handler) {
        if (kind == Command.KindCase.KIND_NOT_SET) {
            throw new IllegalArgumentException("cannot register a handler for an unset command kind");
        }
        handlers.put(kind, handler);
        return this;
    }

    public Set<Command.KindCase> kinds() {
        return Set.copyOf(handlers.keySet());
    }

    /** The answer to {@code command}: its handler's, or an error that names what was wrong. */
    public Envelope.Builder dispatch(Command command) {
        if (command.getRequestId() == 0) {
            return error(Error.Code.MALFORMED, "command without request_id (0 is invalid)", 0);
        }
        CommandHandler h = handlers.get(command.getKindCase());
        if (h == null) {
            String what = command.getKindCase() == Command.KindCase.KIND_NOT_SET
                    ? "command has no kind set (unknown to this agent's protocol version?)"
                    : "command " + command.getKindCase() + " is not allowed by this agent";
            return error(Error.Code.UNKNOWN_COMMAND, what, command.getRequestId());
        }
        try {
            return h.handle(command);
        } catch (RuntimeException e) {
            return error(Error.Code.INTERNAL, command.getKindCase() + " failed: " + e, command.getRequestId());
        }
    }

    /** An Error envelope, text clipped to the protocol's bound. */
    public static Envelope.Builder error(Error.Code code, String message, long requestId) {
        return Envelope.newBuilder().setError(Error.newBuilder()
                .setCode(code)
                .setMessage(Bounds.clip(message, Bounds.MAX_ERROR_CHARS))
                .setRequestId(requestId));
    }
}
